//! Finding input files under folders: rule files for `check`, `lint` and `fmt`, test
//! files for `test`. One walk, so every command skips the same folders.

use std::path::{Path, PathBuf};

/// `paths` with each folder replaced by the files below it that `wanted` accepts, in
/// path order; hidden folders and `target/` are skipped. Files (and `-`) are kept as
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
            if !name.starts_with('.') && name != "target" {
                walk(&p, wanted, out);
            }
        } else if wanted(&p) {
            out.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
