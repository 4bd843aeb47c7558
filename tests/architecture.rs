//! The import rules of docs/ARCHITECTURE.md, enforced: which top-level module of `src/`
//! may name which other one through a `crate::` path. The table below is the rule; the
//! test reads every source file, collects the modules each one reaches with `crate::…`
//! (in `use` lines and inline paths alike), and fails on an edge the table does not
//! allow. The table lists modules bottom-up and only allows edges to modules listed
//! earlier, so the graph has no cycle and no stage reaches up to a later one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `(module, may import, needs the `data` feature)`, lowest layer first. `lib` is the
/// crate root (`compile`, `Compiled`, `stem_of`).
const LAYERS: &[(&str, &[&str], bool)] = &[
    // Leaves: no crate imports.
    ("span", &[], false),
    ("units", &[], false),
    ("cell", &[], false),
    ("files", &[], false),
    ("timestamp", &["units"], false),
    ("diagnostics", &["span"], false),
    // The language, stage by stage.
    ("syntax", &["diagnostics", "span", "units"], false),
    ("check", &["syntax", "diagnostics", "span", "units"], false),
    (
        "ir",
        &["check", "syntax", "diagnostics", "span", "units"],
        false,
    ),
    // Parameters: bound into the tree between parse and check; a range's ends are
    // checked with the checker (the unit tests lower a bound tree).
    (
        "params",
        &[
            "ir",
            "check",
            "syntax",
            "diagnostics",
            "span",
            "units",
            "timestamp",
        ],
        false,
    ),
    (
        "lib",
        &["params", "ir", "check", "syntax", "diagnostics"],
        false,
    ),
    ("eval", &["ir", "span", "units", "timestamp"], false),
    ("fmt", &["syntax", "diagnostics", "span", "units"], false),
    (
        "lint",
        &[
            "lib",
            "eval",
            "ir",
            "syntax",
            "diagnostics",
            "span",
            "units",
            "timestamp",
        ],
        false,
    ),
    (
        "ruletest",
        &["lib", "eval", "ir", "span", "units", "files", "timestamp"],
        false,
    ),
    ("chart", &["timestamp", "units"], false),
    // Kubernetes manifests (YAML) to and from the language's `Policy` (import/export).
    (
        "kube",
        &["ir", "diagnostics", "span", "timestamp", "units"],
        false,
    ),
    // The Prometheus client, behind its own `prometheus` feature.
    (
        "prom",
        &["diagnostics", "span", "timestamp", "units", "files"],
        false,
    ),
    // Data: polars behind the `data` feature.
    (
        "backtest",
        &[
            "eval",
            "ir",
            "cell",
            "units",
            "timestamp",
            "diagnostics",
            "chart",
            "files",
        ],
        true,
    ),
    (
        "snapshot",
        &["backtest", "chart", "ir", "timestamp", "units"],
        true,
    ),
    ("datagen", &["timestamp", "units", "cell", "files"], true),
    // `tune`: variants of a file's parameters, run by the backtester.
    (
        "tune",
        &[
            "backtest",
            "datagen",
            "params",
            "check",
            "ir",
            "syntax",
            "diagnostics",
            "fmt",
            "chart",
            "lib",
            "units",
        ],
        true,
    ),
    // The command line sits on top and may use anything.
    (
        "cli",
        &[
            "lib",
            "span",
            "units",
            "cell",
            "files",
            "timestamp",
            "diagnostics",
            "syntax",
            "check",
            "ir",
            "eval",
            "fmt",
            "lint",
            "ruletest",
            "chart",
            "backtest",
            "snapshot",
            "datagen",
            "prom",
            "kube",
            "params",
            "tune",
        ],
        false,
    ),
];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("src is readable")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to: `src/lint/rules/x.rs` → `lint`,
/// `src/units.rs` → `units`, `src/lib.rs` → `lib`. `None` for the binary.
fn module_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src_dir()).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "main").then(|| name.to_string())
}

/// The source without comments and string literals (doc links and messages are not
/// imports). Character literals are kept as they are; none holds a quote or `//`.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i = src[i + 2..].find("*/").map_or(b.len(), |k| i + 2 + k + 2);
        } else if b[i] == b'r' && (b[i + 1..].starts_with(b"\"") || b[i + 1..].starts_with(b"#")) {
            // A raw string r"…" / r#"…"#: skip to the matching close.
            let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
            if b.get(i + 1 + hashes) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            let close = format!("\"{}", "#".repeat(hashes));
            let body = i + 2 + hashes;
            i = src[body..]
                .find(&close)
                .map_or(b.len(), |k| body + k + close.len());
            out.push_str("\"\"");
        } else if b[i] == b'\'' {
            // A char literal ('"', '\n') is skipped; a lifetime ('a) is kept.
            let len = if b.get(i + 1) == Some(&b'\\') {
                src.get(i + 3..).and_then(|r| r.find('\'')).map(|k| k + 4)
            } else {
                let c = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                (b.get(i + 1 + c) == Some(&b'\'')).then_some(c + 2)
            };
            match len {
                Some(n) => i += n,
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else {
            let c = src[i..].chars().next().expect("char boundary");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first path segment of each item of a `{…}` group (nested groups included).
fn group_heads(group: &str, out: &mut BTreeSet<String>) {
    let inner = &group[1..group.len() - 1];
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in inner.char_indices().chain([(inner.len(), ',')]) {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                let item = inner[start..i].trim();
                let head = ident_at(item);
                if !head.is_empty() && head != "self" {
                    out.insert(head.to_string());
                }
                start = i + 1;
            }
            _ => {}
        }
    }
}

/// The crate items a file names through `crate::` (the first segment of each path).
fn crate_heads(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `mycrate::`
        }
        let rest = &code[at + "crate::".len()..];
        if rest.starts_with('{') {
            let mut depth = 0;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(rest.len(), |(i, _)| i + 1);
            group_heads(&rest[..end], &mut out);
        } else {
            out.insert(ident_at(rest).to_string());
        }
    }
    out
}

/// The root file names modules without `crate::` (`syntax::parse`): its paths that
/// start with a module name, outside the `mod` declarations.
fn root_heads(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let t = line.trim_start();
        if t.starts_with("pub mod ") || t.starts_with("mod ") || t.starts_with("#[cfg") {
            continue;
        }
        for m in modules {
            let pat = format!("{m}::");
            for (at, _) in line.match_indices(&pat) {
                let before = line[..at].chars().next_back();
                if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    out.insert(m.clone());
                }
            }
        }
    }
    out
}

/// `code` without its `#[cfg(test)] mod … { … }` blocks: unit tests may reach any layer
/// (a writer's test reads its output back with the loader), the library may not.
fn without_test_modules(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(open) = after.find('{') else {
            rest = "";
            break;
        };
        let head = &after["#[cfg(test)]".len()..open];
        if !head.trim_start().starts_with("mod ") && !head.contains(" mod ") {
            // Not a module (a test-only item): keep scanning after the attribute.
            out.push_str("#[cfg(test)]");
            rest = &after["#[cfg(test)]".len()..];
            continue;
        }
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// module → the other modules it imports.
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let Some(module) = module_of(f) else { continue };
        let code = code_only(&std::fs::read_to_string(f).expect("readable source"));
        let code = without_test_modules(&code);
        let mut heads = crate_heads(&code);
        if module == "lib" {
            heads.extend(root_heads(&code, &modules));
        }
        let deps = graph.entry(module.clone()).or_default();
        for h in heads {
            // `crate::compile` and friends are items of the root.
            let target = if modules.contains(&h) {
                h
            } else {
                "lib".into()
            };
            if target != module {
                deps.insert(target);
            }
        }
    }
    graph
}

#[test]
fn every_import_is_allowed_by_the_layer_table() {
    let graph = import_graph();
    let table: BTreeMap<&str, (&[&str], bool)> = LAYERS
        .iter()
        .map(|(m, d, data)| (*m, (*d, *data)))
        .collect();
    let mut problems = Vec::new();
    for (module, deps) in &graph {
        let Some((allowed, _)) = table.get(module.as_str()) else {
            problems.push(format!(
                "module `{module}` is not in the layer table of tests/architecture.rs \
                 (and docs/ARCHITECTURE.md): decide which stage owns it"
            ));
            continue;
        };
        for d in deps {
            if !allowed.contains(&d.as_str()) {
                problems.push(format!(
                    "`{module}` imports `{d}`, which the layer table does not allow"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "import rules broken:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_layer_table_points_only_down_and_keeps_the_core_free_of_data() {
    let mut seen: Vec<(&str, bool)> = Vec::new();
    for (module, deps, data) in LAYERS {
        for d in *deps {
            let below = seen.iter().find(|(m, _)| m == d);
            let Some((_, dep_data)) = below else {
                panic!("`{module}` may import `{d}`, which is not listed below it");
            };
            assert!(
                *data || !dep_data || *module == "cli",
                "`{module}` is in the language core but may import `{d}`, which needs polars"
            );
        }
        seen.push((module, *data));
    }
}

#[test]
fn data_modules_are_gated_by_the_feature() {
    let lib = std::fs::read_to_string(src_dir().join("lib.rs")).expect("lib.rs");
    for (module, _, data) in LAYERS {
        if *module == "lib" {
            continue;
        }
        let decl = format!("pub mod {module};");
        let at = lib
            .find(&decl)
            .unwrap_or_else(|| panic!("lib.rs does not declare `{decl}`"));
        let prev_line = lib[..at].trim_end().lines().next_back().unwrap_or("");
        let gated = prev_line.trim() == "#[cfg(feature = \"data\")]";
        assert_eq!(
            gated, *data,
            "`{module}`: gated by the `data` feature in lib.rs = {gated}, in the table = {data}"
        );
    }
}

#[test]
fn the_scanner_sees_grouped_and_inline_paths() {
    let code = code_only(
        "use crate::{ir::{self, Rule}, span::Span};\n// crate::lint\nlet q = '\"'; let x = crate::units::fmt_num(1.0); \"crate::cli\" r#\"crate::fmt\"#",
    );
    let heads: Vec<String> = crate_heads(&code).into_iter().collect();
    assert_eq!(heads, ["ir", "span", "units"]);
}
