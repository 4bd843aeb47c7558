//! Regenerates the committed sample datasets, or writes one named preset.
//!
//! ```text
//! cargo run --release --example gen_datasets                  # samples → datasets/
//! cargo run --release --example gen_datasets -- year-10s      # → datasets/large/…
//! cargo run --release --example gen_datasets -- NAME OUT_DIR  # one preset → OUT_DIR
//! ```

use scalerules::datagen;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

fn run() -> Result<(), datagen::DatagenError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = Path::new(args.get(1).map_or("datasets", String::as_str));
    let started = Instant::now();
    let written = match args.first() {
        None => datagen::regenerate_samples(dir)?,
        Some(name) => datagen::write_preset(datagen::preset(name)?, dir)?,
    };
    for path in &written {
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        println!("{:>12} bytes  {}", size, path.display());
    }
    println!("done in {:.2} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
