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

    // A query long enough to go as a POST form works the same.
    let long = format!("rps{}", " + 0".repeat(1000));
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
