//! `scalerules test`: rule unit tests written next to the rule files.

use super::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::ruletest::{discover, junit_xml, render_failure, run_file};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// Test files (`*.test.toml`) or folders to search; default: the current folder.
    pub paths: Vec<PathBuf>,
    /// Also write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

pub fn run(args: TestArgs) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let files = match discover(&paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot search for tests: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if files.is_empty() {
        eprintln!(
            "error: no test files (`*.test.toml`) under {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let (mut passed, mut failed) = (0, 0);
    let mut results = Vec::new();
    for path in files {
        let r = run_file(&path);
        println!("{}", r.path.display());
        if let Some(e) = &r.error {
            println!("  error {e}");
            failed += 1;
        }
        let service = r.service();
        for c in &r.cases {
            if c.failures.is_empty() {
                passed += 1;
                println!("  ok    {}", c.name);
            } else {
                failed += 1;
                println!("  FAIL  {}", c.name);
                print!("{}", render_failure(&r, c, service));
            }
        }
        results.push(r);
    }
    if let Some(path) = &args.junit {
        if let Err(e) = crate::files::write_file(path, junit_xml(&results)) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(EXIT_USAGE);
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        ExitCode::from(EXIT_FAILURE)
    } else {
        ExitCode::from(EXIT_OK)
    }
}
