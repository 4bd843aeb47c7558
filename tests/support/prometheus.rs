//! Starts a real Prometheus for a test: a unique temporary directory, a data directory
//! backfilled from an OpenMetrics text with `promtool tsdb create-blocks-from
//! openmetrics`, a free loopback port, an optional scrape target and web config (basic
//! auth, TLS); waits until the server is ready and kills it on drop.
//!
//! The binaries come from Debian's `prometheus` package (`scripts/install-prometheus.sh`).
//! When they are missing the tests FAIL, naming that script, unless
//! `SCALERULES_SKIP_PROMETHEUS_TESTS=1` is set, which skips them with a note.

use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Setting this variable to `1` skips the tests that need a Prometheus server.
pub const SKIP_VAR: &str = "SCALERULES_SKIP_PROMETHEUS_TESTS";

const READY_LINE: &str = "Server is ready to receive web requests.";
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Checks that `prometheus` and `promtool` are on PATH. `false` (skip) only when the
/// opt-out variable is set; otherwise a missing binary fails the test.
pub fn available() -> bool {
    let missing: Vec<&str> = ["prometheus", "promtool"]
        .into_iter()
        .filter(|b| which(b).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var(SKIP_VAR).as_deref() == Ok("1") {
        eprintln!(
            "skipping: {} not found and {SKIP_VAR}=1 is set",
            missing.join(" and ")
        );
        return false;
    }
    panic!(
        "{} not found on PATH: run `scripts/install-prometheus.sh` (installs Debian's \
         `prometheus` package), or set {SKIP_VAR}=1 to skip the Prometheus tests",
        missing.join(" and ")
    );
}

fn which(bin: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(bin))
        .find(|p| p.is_file())
}

/// Builds an OpenMetrics text: one family per name, samples in time order.
#[derive(Default)]
pub struct OpenMetrics {
    text: String,
    typed: Vec<String>,
}

impl OpenMetrics {
    /// Adds a gauge series `name{labels}` with samples `(unix seconds, value)`.
    /// All series of one family must be added one after another.
    pub fn gauge(&mut self, name: &str, labels: &[(&str, &str)], samples: &[(i64, f64)]) {
        if !self.typed.iter().any(|t| t == name) {
            let _ = writeln!(self.text, "# TYPE {name} gauge");
            self.typed.push(name.to_string());
        }
        let labels = if labels.is_empty() {
            String::new()
        } else {
            let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
            format!("{{{}}}", inner.join(","))
        };
        for (t, v) in samples {
            let _ = writeln!(self.text, "{name}{labels} {v} {t}");
        }
    }

    pub fn finish(mut self) -> String {
        self.text.push_str("# EOF\n");
        self.text
    }
}

/// What to start.
#[derive(Default)]
pub struct Options {
    /// OpenMetrics text to backfill the data directory with.
    pub backfill: Option<String>,
    /// `host:port` of a target to scrape, with the scrape interval.
    pub scrape: Option<(String, &'static str)>,
    /// Contents of `--web.config.file` (basic auth, TLS); `$DIR` is replaced by the
    /// server's temporary directory.
    pub web_config: Option<String>,
    /// Files to write into the temporary directory before starting (certificates).
    pub files: Vec<(String, Vec<u8>)>,
}

/// A running Prometheus, killed on drop.
pub struct Prometheus {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    scheme: &'static str,
}

impl Prometheus {
    pub fn start(options: Options) -> Prometheus {
        let dir = tempfile::Builder::new()
            .prefix("scalerules-prom-")
            .tempdir()
            .expect("temporary directory");
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).expect("data directory");
        for (name, bytes) in &options.files {
            std::fs::write(dir.path().join(name), bytes).expect("write file");
        }
        if let Some(om) = &options.backfill {
            let input = dir.path().join("backfill.om");
            std::fs::write(&input, om).expect("write OpenMetrics");
            let out = Command::new("promtool")
                .args(["tsdb", "create-blocks-from", "openmetrics"])
                .arg(&input)
                .arg(&data)
                .output()
                .expect("run promtool");
            assert!(
                out.status.success(),
                "promtool failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let mut config = String::from("global:\n  evaluation_interval: 1m\n");
        if let Some((target, interval)) = &options.scrape {
            let _ = write!(
                config,
                "scrape_configs:\n  - job_name: exporter\n    scrape_interval: {interval}\n    \
                 scrape_timeout: {interval}\n    static_configs:\n      - targets: ['{target}']\n"
            );
        }
        let config_path = dir.path().join("prometheus.yml");
        std::fs::write(&config_path, config).expect("write config");
        let scheme = if options
            .web_config
            .as_deref()
            .is_some_and(|w| w.contains("tls_server_config"))
        {
            "https"
        } else {
            "http"
        };
        let web_config = options.web_config.as_ref().map(|w| {
            let path = dir.path().join("web.yml");
            let text = w.replace("$DIR", &dir.path().display().to_string());
            std::fs::write(&path, text).expect("write web config");
            path
        });
        // A port taken between our probe and Prometheus' bind makes the start fail;
        // then try another.
        for _attempt in 0..3 {
            let port = free_port();
            let log = dir.path().join("prometheus.log");
            let mut cmd = Command::new("prometheus");
            cmd.arg(format!("--config.file={}", config_path.display()))
                .arg(format!("--storage.tsdb.path={}", data.display()))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                // Backfilled samples are months old: keep them.
                .arg("--storage.tsdb.retention.time=100y")
                .arg("--log.level=info");
            if let Some(w) = &web_config {
                cmd.arg(format!("--web.config.file={}", w.display()));
            }
            let log_file = std::fs::File::create(&log).expect("log file");
            let child = cmd
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().expect("log file"))
                .stderr(log_file)
                .spawn()
                .expect("start prometheus");
            let mut child = child;
            match wait_ready(&mut child, &log) {
                Ok(()) => {
                    return Prometheus {
                        child: Some(child),
                        port,
                        dir,
                        scheme,
                    }
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    if !e.contains("address already in use") {
                        panic!("Prometheus did not start: {e}");
                    }
                }
            }
        }
        panic!("Prometheus did not start: no free port after 3 attempts");
    }

    /// `http://127.0.0.1:PORT` (or `https://localhost:PORT` with TLS, matching the
    /// test certificate's name).
    pub fn url(&self) -> String {
        if self.scheme == "https" {
            format!("https://localhost:{}", self.port)
        } else {
            format!("http://127.0.0.1:{}", self.port)
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Kills the server (the port then refuses connections).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits for Prometheus' "ready" log line; an exit or a minute without it is an error
/// carrying the log.
fn wait_ready(child: &mut Child, log: &Path) -> Result<(), String> {
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains(READY_LINE) {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("it exited with {status}; log:\n{text}"));
        }
        if start.elapsed() > START_TIMEOUT {
            return Err(format!("not ready after {START_TIMEOUT:?}; log:\n{text}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}
