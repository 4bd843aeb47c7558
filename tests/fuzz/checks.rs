//! The properties the fuzz targets assert, one function per target. Shared by the fuzz
//! crate (`fuzz/`, which feeds them AFL++'s inputs) and by `tests/fuzz_regressions.rs`
//! (which replays the kept inputs under `tests/fixtures/fuzz/`). A violated property
//! panics; any input may be given.

#![allow(dead_code)]

use scalerules::eval::Evaluator;
use scalerules::ir::Direction;

/// Rule files whose services the evaluator target runs.
const POLICIES: &[&str] = &[
    include_str!("../../rules/checkout.scale"),
    include_str!("../../rules/inference.scale"),
    include_str!("../../rules/queue-worker.scale"),
    include_str!("../../rules/reports.scale"),
    "replicas 1..5\ncooldown out 2m, in 5m\n\
     when avg(cpu, 5m) > 80% for 2 of 3m scale out by 50%\n\
     when p99(lat, 10m) < 100ms and not cpu > 20% for 10m scale in by 1, cooldown 10m\n\
     when rate(req, 1m) > 50 rps or max(q, 30s) >= 1000 scale to 5\n",
    "replicas 0..1000000\non missing hold\nwhen cpu > 0.9 fraction scale out by 10000\n\
     when min(cpu, 1h) < 10% for 1h scale in by 90%\n",
];

/// Parse → check → lower, and the IR's display.
pub fn compile(data: &[u8]) {
    let src = String::from_utf8_lossy(data);
    let compiled = scalerules::compile(&src, "fuzz");
    if let Some(program) = compiled.program {
        let _ = program.to_string();
    }
}

/// The linter, and the formatter's properties: its output parses again, formats to
/// itself, and means the same (the same AST, spans aside).
pub fn lint_fmt(data: &[u8]) {
    let src = String::from_utf8_lossy(data);
    let _ = scalerules::lint::lint_source(&src, "fuzz");
    let Ok(once) = scalerules::fmt::format_source(&src, "fuzz") else {
        return;
    };
    let twice = scalerules::fmt::format_source(&once, "fuzz")
        .unwrap_or_else(|e| panic!("fmt output does not parse: {e:?}\n{once}"));
    assert_eq!(once, twice, "fmt is not idempotent");
    assert_eq!(
        span_free_ast(&src),
        span_free_ast(&once),
        "fmt changed the AST\n{once}"
    );
}

/// The AST's debug print without its spans: what the text means, not where it stands.
fn span_free_ast(src: &str) -> Option<String> {
    let mut sink = scalerules::diagnostics::Sink::new();
    let ast = scalerules::syntax::parse(src, "fuzz", &mut sink)?;
    let dbg = format!("{ast:?}");
    // `span: Span { start: 1, end: 2 }` and `Span { start: 1, end: 2 }` carry position only.
    let mut out = String::with_capacity(dbg.len());
    let mut rest = dbg.as_str();
    while let Some(i) = rest.find("Span { start: ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.find('}').map_or(tail.len(), |j| j + 1);
        rest = &tail[end..];
    }
    out.push_str(rest);
    Some(out)
}

/// Reads little-endian numbers off the input; zeros when it runs out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let Some((&b, rest)) = self.0.split_first() else {
            return 0;
        };
        self.0 = rest;
        b
    }

    fn u16(&mut self) -> u16 {
        u16::from(self.u8()) | (u16::from(self.u8()) << 8)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The evaluator over an arbitrary series: a policy chosen by the first byte, then
/// evaluations of (time step, one value per metric). Asserted at every step: the count
/// stays within the bounds, each decision starts from the current count and changes it
/// in its direction, and no rule or direction acts inside its cooldown.
pub fn eval(data: &[u8]) {
    let mut input = Bytes(data);
    let src = POLICIES[usize::from(input.u8()) % POLICIES.len()];
    let program = scalerules::compile(src, "fuzz")
        .program
        .expect("the policies compile");
    let service = &program.services[usize::from(input.u8()) % program.services.len()];
    let mut ev = Evaluator::new(service);
    let mut values = vec![f64::NAN; service.metrics.len()];
    let mut t: i64 = 1_772_409_600_000;
    let mut last_rule = vec![None::<i64>; service.rules.len()];
    let (mut last_out, mut last_in) = (None::<i64>, None::<i64>);
    while !input.is_empty() {
        // Steps from 0 (refused: not after the previous) to about 4.5 hours.
        let step = i64::from(input.u16()) * 250;
        for v in &mut values {
            let exponent = input.u8();
            let mantissa = f64::from(input.u16());
            *v = if exponent == 0xFF {
                f64::NAN
            } else {
                mantissa * 10f64.powi(i32::from(exponent % 8) - 4)
            };
        }
        let before = ev.replicas();
        let Ok(result) = ev.step(t + step, &values) else {
            assert_eq!(step, 0, "only a repeated time is refused");
            continue;
        };
        t += step;
        let now = ev.replicas();
        assert!(
            (service.min..=service.max).contains(&now),
            "{now} outside the bounds"
        );
        let Some(d) = result.decision else {
            assert_eq!(before, now, "the count changed without a decision");
            continue;
        };
        assert_eq!((d.from, d.to, d.timestamp), (before, now, t));
        assert_ne!(d.from, d.to, "a decision that changes nothing");
        let rule = &service.rules[d.rule.0];
        if let Some(last) = last_rule[d.rule.0] {
            assert!(
                t - last >= rule.cooldown,
                "rule {} inside its cooldown",
                d.rule.0
            );
        }
        last_rule[d.rule.0] = Some(t);
        let (last, cooldown) = match d.direction {
            Direction::Out => {
                assert!(d.to > d.from, "scale out went down");
                (&mut last_out, service.cooldown_out)
            }
            Direction::In => {
                assert!(d.to < d.from, "scale in went up");
                (&mut last_in, service.cooldown_in)
            }
        };
        if let Some(l) = *last {
            assert!(t - l >= cooldown, "direction cooldown broken");
        }
        *last = Some(t);
    }
}

/// `import` of Kubernetes YAML, and the `.scale` text of what it imported.
pub fn kube_import(data: &[u8]) {
    let src = String::from_utf8_lossy(data);
    let imported = scalerules::kube::import(&src);
    let _ = scalerules::kube::scale_text(&imported.policies);
}

/// The dataset loader on arbitrary bytes, as CSV or (first byte odd) Parquet; the
/// columns asked for are those the first line names. Either a dataset or a data error.
#[cfg(feature = "data")]
pub fn dataset(data: &[u8]) {
    use scalerules::backtest::data::{load, DataRequest};
    let Some((&flags, body)) = data.split_first() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("scalerules-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(if flags & 1 == 1 { "d.parquet" } else { "d.csv" });
    if std::fs::write(&path, body).is_err() {
        return;
    }
    let header = body.split(|&b| b == b'\n').next().unwrap_or_default();
    let columns: Vec<String> = String::from_utf8_lossy(header)
        .split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty() && c != "timestamp" && c != "service")
        .take(8)
        .collect();
    let request = DataRequest {
        path: path.clone(),
        columns,
        service: (flags & 2 == 2).then(|| "api".to_string()),
        tick_ms: (flags & 4 == 4).then_some(60_000),
        ..DataRequest::default()
    };
    if let Ok(ds) = load(&request) {
        assert!(
            ds.timestamps_ms.windows(2).all(|w| w[0] < w[1]),
            "grid not increasing"
        );
    }
}
