//! Files in and out. In: finding input files under folders (rule files for `check`,
//! `lint` and `fmt`, test files for `test`), one walk so every command skips the same
//! folders. Out: [`write_atomic`], the one way the tool writes a file, so that a failure
//! or an interruption never leaves a half-written file in place of the previous one.

use std::io;
use std::path::{Path, PathBuf};

/// A folder holding a file of this name is skipped by the walk, with everything below
/// it (the repository's `tests/fixtures/` holds one: its rule and test files fail on
/// purpose). A folder named on the command line is searched all the same.
pub const SKIP_MARKER: &str = ".scalerules-skip";

/// `paths` with each folder replaced by the files below it that `wanted` accepts, in
/// path order; hidden folders, `target/` and folders holding a [`SKIP_MARKER`] file
/// are skipped. Files (and `-`) are kept as
/// given. A folder that cannot be read stays in the list as it is, so that the caller
/// reports the I/O error when it reads it.
pub fn expand(paths: &[PathBuf], wanted: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &wanted, &mut out);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path, wanted: &impl Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        out.push(dir.to_path_buf());
        return;
    };
    let mut found: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    found.sort();
    for p in found {
        if p.is_dir() {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !name.starts_with('.') && name != "target" && !p.join(SKIP_MARKER).exists() {
                walk(&p, wanted, out);
            }
        } else if wanted(&p) {
            out.push(p);
        }
    }
}

/// How a writer's error type says that the file could not be finished (the sync or
/// the rename after its own writing succeeded).
pub trait WriteFailure {
    fn write_failure(path: &Path, error: io::Error) -> Self;
}

impl WriteFailure for io::Error {
    fn write_failure(_: &Path, error: io::Error) -> Self {
        error
    }
}

impl WriteFailure for String {
    fn write_failure(path: &Path, error: io::Error) -> Self {
        format!("cannot write {}: {error}", path.display())
    }
}

/// Writes `path` atomically: `write` creates and fills the temporary file whose path it
/// is given (in the same folder, so the rename stays on one file system); that file is
/// then synced to disk, given the previous file's permissions, and renamed over `path`.
/// When `write`, the sync or the rename fails, the temporary file is removed and the
/// previous file at `path`, if any, is left as it was. A process killed half-way leaves
/// at most a stray `.NAME.PID.tmp` beside an intact `path`.
pub fn write_atomic<T, E: WriteFailure>(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<T, E>,
) -> Result<T, E> {
    let tmp = temporary_path(path);
    let result = write(&tmp).and_then(|t| {
        finish(&tmp, path)
            .map(|()| t)
            .map_err(|e| E::write_failure(path, e))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// [`std::fs::write`], atomically (see [`write_atomic`]).
pub fn write_file(path: &Path, contents: impl AsRef<[u8]>) -> io::Result<()> {
    write_atomic(path, |tmp| std::fs::write(tmp, contents.as_ref()))
}

/// `.NAME.PID.tmp` beside `path`: hidden, and distinct between processes.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let tmp = format!(".{name}.{}.tmp", std::process::id());
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(tmp),
        _ => PathBuf::from(tmp),
    }
}

fn finish(tmp: &Path, path: &Path) -> io::Result<()> {
    std::fs::File::open(tmp)?.sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(tmp, meta.permissions())?;
    }
    std::fs::rename(tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything in `dir`, by name.
    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_error_half_way_leaves_the_previous_file_and_no_litter() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("report.txt");
        std::fs::write(&path, "previous").expect("write");
        let r: io::Result<()> = write_atomic(&path, |tmp| {
            use std::io::Write;
            let mut f = std::fs::File::create(tmp)?;
            f.write_all(b"half of the new")?;
            Err(io::Error::other("disk full"))
        });
        assert_eq!(r.expect_err("fails").to_string(), "disk full");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "previous");
        assert_eq!(listing(dir.path()), ["report.txt"]);
    }

    #[test]
    fn success_replaces_the_file_and_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("rules.scale");
        std::fs::write(&path, "old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        write_file(&path, "new").expect("writes");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert_eq!(listing(dir.path()), ["rules.scale"]);
        // A new file, and a bare file name (the current folder).
        write_file(&dir.path().join("new.txt"), "x").expect("writes");
        assert_eq!(
            temporary_path(Path::new("a.csv")),
            PathBuf::from(format!(".a.csv.{}.tmp", std::process::id()))
        );
    }

    #[test]
    fn a_failed_rename_leaves_the_previous_file() {
        // The target is a non-empty folder: the rename fails after the write succeeded.
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out");
        std::fs::create_dir(&path).expect("mkdir");
        std::fs::write(path.join("keep"), "k").expect("write");
        let r: Result<(), String> = write_atomic(&path, |tmp| {
            std::fs::write(tmp, "new").map_err(|e| e.to_string())
        });
        assert!(
            r.expect_err("fails").starts_with("cannot write "),
            "rename error is named"
        );
        assert_eq!(listing(dir.path()), ["out"]);
        assert_eq!(listing(&path), ["keep"]);
    }

    #[test]
    fn folders_expand_in_order_skipping_hidden_and_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for f in [
            "b.scale",
            "a.scale",
            "x.txt",
            "sub/c.scale",
            ".git/d.scale",
            "target/e.scale",
            "fixtures/f.scale",
            "fixtures/.scalerules-skip",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, "").expect("write");
        }
        let given = root.join("x.txt");
        let got = expand(&[root.to_path_buf(), given.clone()], |p| {
            p.extension().is_some_and(|e| e == "scale")
        });
        let names: Vec<_> = got
            .iter()
            .map(|p| p.strip_prefix(root).expect("under root").to_path_buf())
            .collect();
        assert_eq!(
            names,
            ["a.scale", "b.scale", "sub/c.scale", "x.txt"].map(PathBuf::from)
        );
        // Named on the command line, a marked folder is searched.
        let named = expand(&[root.join("fixtures")], |p| {
            p.extension().is_some_and(|e| e == "scale")
        });
        assert_eq!(named, [root.join("fixtures/f.scale")]);
    }
}
