//! The Prometheus client against a REAL Prometheus server (Debian's `prometheus`
//! package): data backfilled with `promtool`, fetched back exactly, chunked, with gaps;
//! every error kind; basic auth and TLS through Prometheus' own web config; instant
//! queries against a server that scrapes an exporter this test serves.
//!
//! Needs `prometheus` and `promtool` on PATH (`scripts/install-prometheus.sh`); without
//! them the tests fail, unless `SCALERULES_SKIP_PROMETHEUS_TESTS=1` is set.
//! A few header and status checks use a loopback stub instead (tests/support/http.rs).

#![cfg(feature = "prometheus")]

mod support;

use std::time::{Duration, Instant};

use scalerules::prom::{
    fetch, fetch_series, live, Auth, Client, ClientConfig, FetchOptions, Grid, PromErrorKind,
    Query, Secret,
};
use support::http::{HttpServer, Response};
use support::prometheus::{available, OpenMetrics, Options, Prometheus};

/// 2026-03-02T00:00:00Z, the start of the bundled datasets.
const T0: i64 = 1_772_409_600;
const MINUTES: i64 = 360;

fn minute(i: i64) -> i64 {
    T0 + 60 * i
}

/// Values with many significant digits, so an exact match means bit-for-bit.
fn rps(i: i64) -> f64 {
    200.0 + (i as f64) * 1.37 + (i as f64 * 0.1).sin() * 33.3
}

fn replicas(i: i64) -> f64 {
    (4 + (i / 45) % 7) as f64
}

/// Six hours of `rps` and `replicas` every minute, `cpu` for two pods, and `sparse`
/// with a 40-minute hole (minutes 60–99) that starts at minute 30.
fn backfill() -> String {
    let mut om = OpenMetrics::default();
    let every: Vec<i64> = (0..MINUTES).collect();
    let pts = |f: &dyn Fn(i64) -> f64, idx: &[i64]| -> Vec<(i64, f64)> {
        idx.iter().map(|&i| (minute(i), f(i))).collect()
    };
    om.gauge("rps", &[("service", "checkout")], &pts(&rps, &every));
    om.gauge(
        "replicas",
        &[("service", "checkout")],
        &pts(&replicas, &every),
    );
    om.gauge("cpu", &[("pod", "checkout-1")], &pts(&|i| i as f64, &every));
    om.gauge(
        "cpu",
        &[("pod", "checkout-2")],
        &pts(&|i| 2.0 * i as f64, &every),
    );
    let sparse: Vec<i64> = (30..60).chain(100..120).collect();
    om.gauge("sparse", &[], &pts(&|i| i as f64 + 0.5, &sparse));
    om.finish()
}

fn backfilled() -> Option<Prometheus> {
    available().then(|| {
        Prometheus::start(Options {
            backfill: Some(backfill()),
            ..Options::default()
        })
    })
}

fn client(url: &str) -> Client {
    Client::new(ClientConfig::new(url)).expect("client")
}

fn grid(first_minute: i64, minutes: i64, step_ms: i64) -> Grid {
    Grid::new(
        minute(first_minute) * 1000,
        minute(first_minute + minutes) * 1000,
        step_ms,
    )
    .expect("grid")
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

#[test]
fn fetch_equals_the_backfilled_values_at_every_step() {
    let Some(prom) = backfilled() else { return };
    let c = client(&prom.url());
    let g = grid(0, MINUTES, 60_000);
    let queries = [
        Query::new("rps", "rps{service=\"checkout\"}"),
        Query::new("replicas", "replicas"),
    ];
    let mut calls = 0;
    let fetched = fetch(&c, &queries, &g, FetchOptions::default(), &mut |_| {
        calls += 1
    })
    .expect("fetch");
    assert_eq!(calls, 2, "one call per query: 360 points fit in one chunk");
    let want_rps: Vec<f64> = (0..MINUTES).map(rps).collect();
    let want_replicas: Vec<f64> = (0..MINUTES).map(replicas).collect();
    assert!(same_bits(fetched.column("rps").expect("rps"), &want_rps));
    assert!(same_bits(
        fetched.column("replicas").expect("replicas"),
        &want_replicas
    ));
    assert_eq!(fetched.columns[0].series.present, MINUTES as usize);
    assert_eq!(
        fetched.columns[0]
            .series
            .labels
            .get("service")
            .map(String::as_str),
        Some("checkout")
    );

    // The dataset file holds the same values (the loader is polars, so `data` only).
    #[cfg(feature = "data")]
    {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("fetched.csv");
        scalerules::prom::write_dataset(&fetched, &path).expect("write");
        let ds = scalerules::backtest::data::load(&scalerules::backtest::data::DataRequest {
            path,
            timestamp_column: "timestamp".into(),
            columns: vec!["rps".into(), "replicas".into()],
            ..Default::default()
        })
        .expect("load");
        assert_eq!(ds.tick_ms, 60_000);
        assert_eq!(ds.timestamps_ms, g.times().collect::<Vec<_>>());
        assert!(same_bits(ds.column("rps").expect("rps"), &want_rps));
    }
}

#[test]
fn chunked_fetches_equal_one_query_and_pass_the_server_limit() {
    let Some(prom) = backfilled() else { return };
    let c = client(&prom.url());
    let g = grid(0, MINUTES, 60_000);
    let (whole, _) = fetch_series(&c, "rps", &g, FetchOptions::default(), &mut || {}).expect("one");
    let mut calls = 0;
    let (chunked, _) = fetch_series(&c, "rps", &g, FetchOptions { chunk_points: 7 }, &mut || {
        calls += 1
    })
    .expect("chunked");
    assert_eq!(calls, 52, "ceil(360 / 7) calls");
    assert!(same_bits(&whole.values, &chunked.values));

    // Four hours at a 1 s step is 14,400 points: over the server's 11,000.
    let long = grid(0, 240, 1000);
    let e = fetch_series(
        &c,
        "rps",
        &long,
        FetchOptions {
            chunk_points: 20_000,
        },
        &mut || {},
    )
    .unwrap_err();
    assert_eq!(e.code().as_str(), "E373");
    assert!(e.message().contains("exceeded maximum resolution"), "{e}");
    assert!(e.help_text().contains("larger --step"), "{}", e.help_text());
    let mut calls = 0;
    let (series, _) = fetch_series(&c, "rps", &long, FetchOptions::default(), &mut || {
        calls += 1
    })
    .expect("long");
    assert_eq!(calls, 2);
    // Each second shows the sample of its minute (Prometheus' lookback).
    let want: Vec<f64> = (0..14_400).map(|s| rps(s / 60)).collect();
    assert!(same_bits(&series.values, &want));
}

#[test]
fn gaps_are_missing_values_not_errors() {
    let Some(prom) = backfilled() else { return };
    let c = client(&prom.url());
    let g = grid(0, 120, 60_000);
    let (s, _) = fetch_series(
        &c,
        "sparse",
        &g,
        FetchOptions { chunk_points: 50 },
        &mut || {},
    )
    .expect("a series with gaps is data");
    let v = &s.values;
    // Before the series starts: missing.
    assert!(v[..30].iter().all(|x| x.is_nan()), "{:?}", &v[..30]);
    assert!((30..60).all(|i| v[i] == i as f64 + 0.5));
    // Prometheus carries the last sample forward for its lookback delta (5 minutes,
    // whether the edge is included depends on the version); later, missing.
    assert!((60..64).all(|i| v[i] == 59.5), "{:?}", &v[60..66]);
    assert!(v[64] == 59.5 || v[64].is_nan());
    assert!(v[65..100].iter().all(|x| x.is_nan()), "{:?}", &v[65..100]);
    assert!((100..120).all(|i| v[i] == i as f64 + 0.5));
    assert!(s.missing() >= 30 + 35);
    assert_eq!(s.present + s.missing(), 120);
}

#[test]
fn errors_of_a_real_server_are_coded_and_name_the_query() {
    let Some(prom) = backfilled() else { return };
    let c = client(&prom.url());
    let g = grid(0, 60, 60_000);
    let one = |q: &str| fetch_series(&c, q, &g, FetchOptions::default(), &mut || {});

    let e = one("sum(rps").unwrap_err();
    assert_eq!(e.code().as_str(), "E373");
    assert_eq!(e.query(), Some("sum(rps"));
    assert!(
        e.message().contains("parse error") && e.message().contains("(bad_data)"),
        "{e}"
    );

    let e = one("cpu").unwrap_err();
    assert_eq!(e.code().as_str(), "E374");
    assert!(
        e.message().starts_with("the query returned 2 series where one is needed; they differ in `pod` (\"checkout-1\", \"checkout-2\")"),
        "{e}"
    );
    assert!(e.help_text().contains("`sum(cpu)`"), "{}", e.help_text());
    let (summed, _) = one("sum(cpu)").expect("an aggregation gives one series");
    assert_eq!(summed.values[10], 30.0);

    let e = one("no_such_metric").unwrap_err();
    assert_eq!(e.code().as_str(), "E375");
    assert!(e.message().contains("from 2026-03-02T00:00:00Z"), "{e}");

    let e = c
        .query_instant("rps[5m]", Some(minute(10) * 1000))
        .unwrap_err();
    assert_eq!(e.code().as_str(), "E376");
    assert!(e.help_text().contains("remove the `[…]` range"), "{e}");
    let e = c.query_instant("cpu", Some(minute(10) * 1000)).unwrap_err();
    assert_eq!(e.code().as_str(), "E374");
    let a = c
        .query_instant("scalar(rps)", Some(minute(10) * 1000))
        .expect("scalar");
    assert_eq!(a.value, Some(rps(10)));
    let a = c
        .query_instant("no_such_metric", Some(minute(10) * 1000))
        .expect("empty");
    assert_eq!(a.value, None);

    // One fetch reports every bad query, each with its metric; good ones still run.
    let queries = [
        Query::new("rps", "rps"),
        Query::new("p95", "histogram_quantile(0.95,"),
        Query::new("cpu_pct", "cpu"),
    ];
    let errors = fetch(&c, &queries, &g, FetchOptions::default(), &mut |_| {})
        .unwrap_err()
        .0;
    let got: Vec<(&str, Option<&str>)> = errors
        .iter()
        .map(|e| (e.code().as_str(), e.metric()))
        .collect();
    assert_eq!(got, [("E373", Some("p95")), ("E374", Some("cpu_pct"))]);
    assert!(errors[0]
        .to_string()
        .ends_with("metric `p95`, query: histogram_quantile(0.95,"));

    // A query long enough to go as a POST form works the same. Padded with whitespace,
    // not with 1000 additions: those took Prometheus past the 30 s timeout on a loaded
    // 2-core machine.
    let long = format!("rps{}", " ".repeat(3 * scalerules::prom::POST_ABOVE_BYTES));
    let (posted, _) = one(&long).expect("POST");
    assert_eq!(posted.values[5], rps(5));
}

#[test]
fn a_stopped_server_is_unreachable() {
    let Some(mut prom) = backfilled() else { return };
    let c = client(&prom.url());
    let g = grid(0, 60, 60_000);
    assert!(fetch_series(&c, "rps", &g, FetchOptions::default(), &mut || {}).is_ok());
    // `https` to a plain-HTTP server: unreachable, and the help says which scheme.
    let e = client(&prom.url().replace("http://", "https://"))
        .query_instant("rps", None)
        .unwrap_err();
    assert_eq!(e.code().as_str(), "E370");
    assert!(e.help_text().contains("use an `http://` URL"), "{e}");
    prom.stop();
    let e = fetch_series(&c, "rps", &g, FetchOptions::default(), &mut || {}).unwrap_err();
    assert_eq!(e.code().as_str(), "E370", "{e}");
    assert!(e.message().contains(&prom.url()), "{e}");
    // A fetch stops at the first connection failure instead of failing every query.
    let queries = [Query::new("a", "rps"), Query::new("b", "replicas")];
    let errors = fetch(&c, &queries, &g, FetchOptions::default(), &mut |_| {})
        .unwrap_err()
        .0;
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].metric(), Some("a"));
    // Live: every value missing, one error reported for the tick.
    let tick = live::sample(&c, &queries, minute(5) * 1000);
    assert_eq!(tick.values, [None, None]);
    assert_eq!(tick.errors.len(), 1);
}

#[test]
fn statuses_timeouts_and_headers_against_a_stub() {
    let stub = HttpServer::start(|req| {
        let empty = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        match req.target.split('?').next().unwrap_or("") {
            "/bad-gateway/api/v1/query" => Response::new(
                502,
                "text/html",
                "<html><body>502 Bad Gateway</body></html>",
            ),
            "/login/api/v1/query" => Response::new(200, "text/html", "<html>Sign in</html>"),
            "/slow/api/v1/query" => Response {
                delay: Duration::from_secs(3),
                ..Response::json(200, empty)
            },
            _ if req.header("authorization").is_none() => Response::json(401, ""),
            _ => Response::json(200, empty),
        }
    });
    let base = stub.url();

    let e = client(&format!("{base}/bad-gateway"))
        .query_instant("up", None)
        .unwrap_err();
    assert_eq!(e.code().as_str(), "E372");
    assert_eq!(
        e.message(),
        format!("Prometheus at {base}/bad-gateway answered HTTP 502: <html><body>502 Bad Gateway</body></html>")
    );
    let e = client(&base).query_instant("up", None).unwrap_err();
    assert_eq!(e.code().as_str(), "E372");
    assert!(e.help_text().contains("credentials"), "{e}");
    let e = client(&format!("{base}/login"))
        .query_instant("up", None)
        .unwrap_err();
    assert_eq!(e.code().as_str(), "E376");
    let mut slow = ClientConfig::new(format!("{base}/slow"));
    slow.timeout = Duration::from_millis(300);
    let e = Client::new(slow)
        .expect("client")
        .query_instant("up", None)
        .unwrap_err();
    assert_eq!(e.code().as_str(), "E371");
    assert!(e.message().ends_with("did not answer within 300ms"), "{e}");

    // Bearer token from a file, re-read per request; from a variable; extra headers.
    let dir = tempfile::tempdir().expect("tempdir");
    let token = dir.path().join("token");
    std::fs::write(&token, "first-token\n").expect("token");
    let mut config = ClientConfig::new(&base);
    config.auth = Auth::Bearer(Secret::File(token.clone()));
    config.headers = vec![("X-Scope-OrgID".into(), "team-a".into())];
    let c = Client::new(config).expect("client");
    c.query_instant("up", None).expect("authorised");
    std::fs::write(&token, "rotated-token").expect("token");
    c.query_instant("up", Some(T0 * 1000)).expect("authorised");
    // A variable cargo sets for the test process (setting one here would race with
    // the other test threads reading the environment).
    let from_env = std::env::var("CARGO_MANIFEST_DIR").expect("run through cargo test");
    let mut config = ClientConfig::new(&base);
    config.auth = Auth::Bearer(Secret::Env("CARGO_MANIFEST_DIR".into()));
    Client::new(config)
        .expect("client")
        .query_instant("up", None)
        .expect("ok");
    let mut config = ClientConfig::new(&base);
    config.auth = Auth::Basic {
        user: "Aladdin".into(),
        password: Secret::Value("open sesame".into()),
    };
    let c = Client::new(config).expect("client");
    c.query_instant("up", None).expect("ok");
    let long = format!("up{}", " + 0".repeat(1000));
    c.query_instant(&long, Some(T0 * 1000)).expect("ok");

    let seen: Vec<_> = stub
        .requests()
        .into_iter()
        .filter(|r| r.header("authorization").is_some())
        .collect();
    let auth: Vec<&str> = seen
        .iter()
        .filter_map(|r| r.header("authorization"))
        .collect();
    assert_eq!(
        auth,
        [
            "Bearer first-token",
            "Bearer rotated-token",
            &format!("Bearer {from_env}"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        ]
    );
    assert_eq!(seen[0].header("x-scope-orgid"), Some("team-a"));
    assert!(seen[0]
        .header("user-agent")
        .is_some_and(|u| u.starts_with("scalerules/")));
    assert_eq!(seen[0].method, "GET");
    assert!(
        seen[1].target.contains("time=1772409600"),
        "{}",
        seen[1].target
    );
    // The long query went as a POST form.
    let post = &seen[4];
    assert_eq!(post.method, "POST");
    assert_eq!(
        post.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert!(post.body.starts_with("query=up") && post.body.contains("time=1772409600"));
}

/// `s3cret-pw` hashed with bcrypt at the lowest cost (4), for `basic_auth_users`.
const BCRYPT_S3CRET_PW: &str = "$2b$04$LW8IUYKPuJe2Oqp4k9z1OuZzb4p0PDBAprYcOzn/TPmiRyq1kO.4.";

#[test]
fn basic_auth_through_prometheus_web_config() {
    if !available() {
        return;
    }
    let prom = Prometheus::start(Options {
        backfill: Some(backfill()),
        web_config: Some(format!(
            "basic_auth_users:\n  scalerules: '{BCRYPT_S3CRET_PW}'\n"
        )),
        ..Options::default()
    });
    let with = |password: Option<&str>| {
        let mut config = ClientConfig::new(prom.url());
        if let Some(p) = password {
            config.auth = Auth::Basic {
                user: "scalerules".into(),
                password: Secret::Value(p.into()),
            };
        }
        Client::new(config)
            .expect("client")
            .query_instant("rps", Some(minute(3) * 1000))
    };
    assert_eq!(
        with(Some("s3cret-pw")).expect("authorised").value,
        Some(rps(3))
    );
    for wrong in [None, Some("wrong")] {
        let e = with(wrong).unwrap_err();
        assert_eq!(e.code().as_str(), "E372");
        assert!(
            matches!(e.kind(), PromErrorKind::HttpStatus { status: 401, .. }),
            "{e}"
        );
    }
}

/// A CA and a certificate for `localhost`/127.0.0.1 signed by it, made with openssl.
fn tls_files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl (Debian's `openssl` package) must be installed");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(&[
        &["req", "-x509"],
        &ec[..],
        &[
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=scalerules test CA",
        ],
    ]
    .concat());
    run(&[
        &["req"],
        &ec[..],
        &[
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    ]
    .concat());
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    ["server.pem", "server.key"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(dir.join(f)).expect("read")))
        .collect()
}

#[test]
fn https_with_a_ca_file() {
    if !available() {
        return;
    }
    let certs = tempfile::tempdir().expect("tempdir");
    let files = tls_files(certs.path());
    let prom = Prometheus::start(Options {
        backfill: Some(backfill()),
        web_config: Some(
            "tls_server_config:\n  cert_file: $DIR/server.pem\n  key_file: $DIR/server.key\n"
                .into(),
        ),
        files,
        ..Options::default()
    });
    assert!(prom.url().starts_with("https://"));
    let mut config = ClientConfig::new(prom.url());
    config.ca_file = Some(certs.path().join("ca.pem"));
    let c = Client::new(config).expect("client");
    let a = c
        .query_instant("rps", Some(minute(7) * 1000))
        .expect("https");
    assert_eq!(a.value, Some(rps(7)));

    // Without the CA the bundled roots do not trust the server: E370 with TLS help.
    let e = client(&prom.url()).query_instant("rps", None).unwrap_err();
    assert_eq!(e.code().as_str(), "E370", "{e}");
    assert!(e.help_text().contains("--ca-file"), "{e}");
    // A CA file that is not PEM is a setting error before any request.
    let mut config = ClientConfig::new(prom.url());
    config.ca_file = Some(certs.path().join("server.csr"));
    assert_eq!(Client::new(config).unwrap_err().code(), "E378");
}

#[test]
fn instant_queries_follow_a_scraped_exporter() {
    if !available() {
        return;
    }
    let value = std::sync::Arc::new(std::sync::Mutex::new(1.0_f64));
    let exporter = {
        let value = value.clone();
        HttpServer::start(move |_| {
            let v = *value.lock().expect("value");
            Response::new(
                200,
                "text/plain; version=0.0.4",
                format!(
                    "# TYPE queue_depth gauge\nqueue_depth{{queue=\"orders\"}} {v}\n\
                     # TYPE inflight gauge\ninflight{{pod=\"a\"}} 1\ninflight{{pod=\"b\"}} 2\n"
                ),
            )
        })
    };
    let prom = Prometheus::start(Options {
        scrape: Some((exporter.addr().to_string(), "200ms")),
        ..Options::default()
    });
    let c = client(&prom.url());
    let queries = [
        Query::new("queue_depth", "queue_depth{queue=\"orders\"}"),
        Query::new("inflight", "inflight"),
        Query::new("broken", "sum(("),
    ];
    // Each tick asks at the current time; wait (bounded) for the scrape to show.
    let wait_for = |want: f64| {
        let start = Instant::now();
        loop {
            let now_ms = chrono_now_ms();
            let tick = live::sample(&c, &queries, now_ms);
            if tick.values[0] == Some(want) {
                return tick;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "queue_depth never became {want}: last tick {:?}",
                tick.values
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let tick = wait_for(1.0);
    // A multi-series and a broken query are missing for the tick, each reported.
    assert_eq!(tick.values[1..], [None, None]);
    let codes: Vec<&str> = tick.errors.iter().map(|e| e.code().as_str()).collect();
    assert_eq!(codes, ["E374", "E373"]);
    *value.lock().expect("value") = 42.5;
    wait_for(42.5);
    *value.lock().expect("value") = 7.0;
    wait_for(7.0);
    assert!(exporter.requests().len() >= 3);
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

// ---------------------------------------------------------------- the commands
// `scalerules fetch`, `backtest --prometheus` and `eval --prometheus`, through the real
// binary against the real server.

const FROM: &str = "2026-03-02T00:00:00Z";
/// `FROM` + 360 minutes: the whole backfill.
const TO: &str = "2026-03-02T06:00:00Z";

fn scalerules() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_scalerules"))
}

/// Runs the binary; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = scalerules()
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run scalerules");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `scalerules fetch RULES --prometheus URL --from FROM --to TO [EXTRA…] -o OUT`.
fn fetch_cli(
    rules: &str,
    url: &str,
    out: &std::path::Path,
    extra: &[&str],
) -> (i32, String, String) {
    let out = out.to_str().expect("utf-8 path");
    let head = [
        "fetch",
        rules,
        "--prometheus",
        url,
        "--from",
        FROM,
        "--to",
        TO,
    ];
    run(&[&head[..], extra, &["-o", out][..]].concat())
}

/// A policy on the backfilled `rps`, with the recorded replicas from Prometheus too.
const POLICY: &str = r#"# A policy whose metrics come from Prometheus.
service checkout {
  replicas 1..20, start 4
  metric rps = promql "rps{service=\"checkout\"}" in rps
  when rps > 500 for 2m scale out by 2, cooldown 5m
  when rps < 300 for 10m scale in by 1, cooldown 10m
  model {
    demand rps
    capacity 60 rps per replica
    startup 2m
    price 0.10 per replica-hour
    recorded replicas = promql "replicas{service=\"checkout\"}"
  }
}
"#;

fn rule_file(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write rule file");
    path.display().to_string()
}

/// The CSV a fetch wrote, as (timestamp, column → values).
fn read_csv(path: &std::path::Path) -> (Vec<String>, Vec<String>, Vec<Vec<Option<f64>>>) {
    let text = std::fs::read_to_string(path).expect("read fetched CSV");
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .expect("header")
        .split(',')
        .map(str::to_string)
        .collect();
    let mut times = Vec::new();
    let mut columns = vec![Vec::new(); header.len() - 1];
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        times.push(cells[0].to_string());
        for (c, cell) in columns.iter_mut().zip(&cells[1..]) {
            c.push((!cell.is_empty()).then(|| cell.parse::<f64>().expect("a number")));
        }
    }
    (header, times, columns)
}

#[test]
fn fetch_cli_writes_the_backfilled_values_at_every_step() {
    let Some(prom) = backfilled() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = rule_file(dir.path(), "checkout.scale", POLICY);
    let out = dir.path().join("week.csv");
    let (code, _, stderr) = fetch_cli(&rules, &prom.url(), &out, &["--step", "1m"]);
    assert_eq!(code, 0, "{stderr}");
    let (header, times, columns) = read_csv(&out);
    assert_eq!(header, ["timestamp", "rps", "replicas"]);
    assert_eq!(times.len(), MINUTES as usize);
    assert_eq!(times[0], FROM);
    assert_eq!(times[1], "2026-03-02T00:01:00Z");
    for i in 0..MINUTES {
        let k = i as usize;
        assert_eq!(
            columns[0][k].map(f64::to_bits),
            Some(rps(i).to_bits()),
            "rps at minute {i}"
        );
        assert_eq!(columns[1][k], Some(replicas(i)), "replicas at minute {i}");
    }
    // Parquet too, read back by the backtest's own loader below.
    assert!(stderr.contains("wrote"), "{stderr}");
}

#[cfg(feature = "data")]
#[test]
fn backtest_through_prometheus_equals_the_backtest_of_the_fetched_file() {
    let Some(prom) = backfilled() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = rule_file(dir.path(), "checkout.scale", POLICY);
    let path = |name: &str| dir.path().join(name).display().to_string();
    let url = prom.url();
    let range = ["--from", FROM, "--to", TO, "--step", "1m"];
    let step = ["--step", "1m"];
    let fetched = dir.path().join("fetched.csv");
    let (code, _, stderr) = fetch_cli(&rules, &url, &fetched, &step);
    assert_eq!(code, 0, "{stderr}");
    let fetch_json = |extra: &[&str]| {
        let args = [&["backtest", rules.as_str(), "--format", "json"][..], extra].concat();
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 0, "{stderr}");
        (stdout, stderr)
    };
    // Fetch + backtest in one go, keeping the data: the cache file is the fetch's file,
    // and the report is byte for byte the report of `--data` on it.
    let cache = path("cache.csv");
    let cached = [
        &["--prometheus", url.as_str(), "--cache", &cache][..],
        &range,
    ]
    .concat();
    let (via_prometheus, _) = fetch_json(&cached);
    assert_eq!(
        std::fs::read(path("cache.csv")).expect("cache"),
        std::fs::read(path("fetched.csv")).expect("fetched"),
        "the cache holds exactly what `fetch` writes"
    );
    let (via_file, _) = fetch_json(&["--data", &path("cache.csv")]);
    assert_eq!(via_prometheus, via_file);
    let report: serde_json::Value = serde_json::from_str(&via_file).expect("JSON report");
    assert!(
        report["decisions"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "the policy acts"
    );
    assert_eq!(report["model"]["recorded_replicas_present"], true);
    // A second run reuses the cache (it covers the range) and reports the same.
    let (again, note) = fetch_json(&cached);
    assert!(note.contains("reusing"), "{note}");
    assert_eq!(again, via_file);
    // Without a cache: the same report, but the data is named by the server's URL.
    let (direct, _) = fetch_json(&[&["--prometheus", url.as_str()][..], &range].concat());
    let mut direct: serde_json::Value = serde_json::from_str(&direct).expect("JSON report");
    assert_eq!(direct["data"]["path"], url.as_str());
    direct["data"]["path"] = report["data"]["path"].clone();
    direct["data"]["load"]["format"] = report["data"]["load"]["format"].clone();
    assert_eq!(direct, report);
    // And a Parquet fetch backtests to the same scores as the CSV.
    let week = dir.path().join("week.parquet");
    let (code, _, stderr) = fetch_cli(&rules, &url, &week, &step);
    assert_eq!(code, 0, "{stderr}");
    let (pq, _) = fetch_json(&["--data", &path("week.parquet")]);
    let pq: serde_json::Value = serde_json::from_str(&pq).expect("JSON report");
    assert_eq!(pq["policy"], report["policy"]);
    assert_eq!(pq["decisions"], report["decisions"]);
}

#[test]
fn fetch_cli_chunks_a_range_past_the_server_limit() {
    let Some(prom) = backfilled() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = rule_file(dir.path(), "checkout.scale", POLICY);
    let out = dir.path().join("seconds.csv");
    // 6 hours at 1s: 21,600 points per series, beyond Prometheus' 11,000, so 3 calls each.
    let (code, _, stderr) = fetch_cli(&rules, &prom.url(), &out, &["--step", "1s"]);
    assert_eq!(code, 0, "{stderr}");
    let (_, times, columns) = read_csv(&out);
    assert_eq!(times.len(), 21_600);
    assert!(times.len() > prom_limit());
    // Between samples Prometheus shows the last one: second s of minute i is rps(i).
    for (s, v) in columns[0].iter().enumerate() {
        let i = (s / 60) as i64;
        assert_eq!(v.map(f64::to_bits), Some(rps(i).to_bits()), "second {s}");
    }
}

fn prom_limit() -> usize {
    scalerules::prom::SERVER_MAX_POINTS
}

/// Every error at once: a PromQL error, several series, no data, each at its binding's
/// line in the rule file; a metric without a query; then a stopped server.
#[test]
fn fetch_cli_errors_name_the_query_and_its_line() {
    let Some(mut prom) = backfilled() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = rule_file(
        dir.path(),
        "broken.scale",
        r#"service checkout {
  replicas 1..20
  metric rps = promql "sum(rate(rps[5m]" in rps
  metric cpu = column "cpu_pct", promql "cpu" in %
  metric gone = promql "no_such_metric" in count
  when rps > 1 and cpu > 50% and gone > 1 scale out by 1
}
"#,
    );
    let out = dir.path().join("x.csv");
    let (code, _, stderr) = fetch_cli(&rules, &prom.url(), &out, &[]);
    assert_eq!(code, 1, "{stderr}");
    for (code, line, words) in [
        ("E373", 3, ["sum(rate(rps[5m]", "parse error"]),
        ("E374", 4, ["`pod`", "sum("]),
        ("E375", 5, ["no_such_metric", "no data"]),
    ] {
        let at = format!("broken.scale:{line}:");
        let block = stderr
            .split("\n\n")
            .find(|b| b.contains(code))
            .unwrap_or_else(|| panic!("no {code} in:\n{stderr}"));
        assert!(
            stderr.contains(&at),
            "{code} should point at {at}:\n{stderr}"
        );
        for w in words {
            assert!(
                stderr.contains(w),
                "{code}: `{w}` missing:\n{block}\n---\n{stderr}"
            );
        }
    }
    // The label names the metric, not the column its values go to.
    assert!(stderr.contains("the query of `cpu`"), "{stderr}");
    assert!(!out.exists(), "no file is written when a query fails");
    // A metric without a query: E379 at its line, before any request.
    let unbound = rule_file(
        dir.path(),
        "unbound.scale",
        "replicas 1..3\nmetric cpu = column \"cpu_pct\" in %\nwhen cpu > 80% scale out by 1\n",
    );
    let (code, _, stderr) = fetch_cli(&unbound, &prom.url(), &out, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("E379") && stderr.contains("unbound.scale:2:"),
        "{stderr}"
    );
    // The server goes away: E370, at the first query's line.
    let good = rule_file(dir.path(), "checkout.scale", POLICY);
    let url = prom.url();
    prom.stop();
    let (code, _, stderr) = fetch_cli(&good, &url, &out, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("E370"), "{stderr}");
    assert!(stderr.contains("checkout.scale:4:"), "{stderr}");
    assert!(
        stderr.contains("Connection refused") || stderr.contains("connection"),
        "{stderr}"
    );
}

/// `eval --prometheus` against a server scraping an exporter this test serves: quiet
/// ticks, then the test raises the value and a rule fires; a failing query is missing
/// data, reported on stderr each tick; SIGTERM ends it with exit 0 and a summary.
#[cfg(unix)]
#[test]
fn live_eval_follows_the_exporter_and_stops_on_sigterm() {
    use std::io::BufRead;
    if !available() {
        return;
    }
    let load = std::sync::Arc::new(std::sync::Mutex::new(5.0_f64));
    let exporter = {
        let load = load.clone();
        HttpServer::start(move |_| {
            let v = *load.lock().expect("load");
            Response::new(
                200,
                "text/plain; version=0.0.4",
                format!("# TYPE load gauge\nload {v}\n"),
            )
        })
    };
    let prom = Prometheus::start(Options {
        scrape: Some((exporter.addr().to_string(), "200ms")),
        ..Options::default()
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = rule_file(
        dir.path(),
        "live.scale",
        r#"replicas 1..10, start 2
metric load = promql "max(load)" in count
metric broken = promql "sum((" in count
when load > 100 scale out by 3
"#,
    );
    let mut child = scalerules()
        .args(["eval", &rules, "--prometheus", &prom.url(), "--every", "1s"])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start eval");
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    // A few quiet ticks: load 5 is below the threshold, so no decision.
    assert!(
        rx.recv_timeout(Duration::from_secs(4)).is_err(),
        "no decision at load 5"
    );
    *load.lock().expect("load") = 500.0;
    let line = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("a decision after the load rises");
    let d: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
    assert_eq!(
        (d["from"].as_u64(), d["to"].as_u64()),
        (Some(2), Some(5)),
        "{line}"
    );
    assert_eq!(d["rule"], "when load > 100 scale out by 3");
    assert_eq!(d["line"], 4);
    assert_eq!(d["service"], "live");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "eval did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("read stderr");
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("stopped by a signal after"), "{stderr}");
    assert!(stderr.contains(": 1 decision,"), "{stderr}");
    // The broken query: a diagnostic at its line once, then one line per tick.
    assert!(stderr.contains("live.scale:3:"), "{stderr}");
    let per_tick = stderr
        .lines()
        .filter(|l| l.contains("E373 `broken`, line 3"))
        .count();
    assert!(per_tick >= 3, "{stderr}");
}
