use super::*;
use crate::syntax::parse;

fn declared(src: &str) -> (File, Vec<Param>, Sink) {
    let mut sink = Sink::new();
    let file = parse(src, "t", &mut sink).expect("parses");
    let params = declare(&file, &mut sink);
    (file, params, sink)
}

const SRC: &str = "replicas 1..$max\nmetric p95 = column \"p95_ms\" in ms\n\
    param thr = 300ms in 200ms..0.5s step 50ms\nparam max = 10 in [5, 10, 20, 10]\n\
    param w = 2m in 1m..3m\nwhen p95 > $thr for $w scale out by 1\n";

#[test]
fn ranges_enumerate_in_the_unit_of_the_default() {
    let (_, params, sink) = declared(SRC);
    assert!(sink.is_empty(), "{:?}", sink.into_sorted());
    assert_eq!(
        params[0].values,
        [200.0, 250.0, 300.0, 350.0, 400.0, 450.0, 500.0]
    );
    // A list keeps its order and drops repeats.
    assert_eq!(params[1].values, [5.0, 10.0, 20.0]);
    // Without a step: 1 in the unit of the default.
    assert_eq!(params[2].values, [1.0, 2.0, 3.0]);
    assert_eq!(params[2].show(1.5), "90s");
    assert_eq!(params[0].show(250.0), "250ms");
}

#[test]
fn binding_writes_values_and_can_rebind_a_bound_tree() {
    let (mut file, params, _) = declared(SRC);
    let mut sink = Sink::new();
    assert!(bind(
        &mut file,
        &params,
        &defaults(&params),
        Some(&mut sink)
    ));
    assert!(sink.is_empty());
    // A second binding of the same tree (what `tune` does per variant) is no error.
    assert!(bind(
        &mut file,
        &params,
        &[450.0, 20.0, 3.0],
        Some(&mut sink)
    ));
    assert!(sink.is_empty(), "{:?}", sink.into_sorted());
    let mut check_sink = Sink::new();
    let checked = crate::check::check(&file, SRC, &mut check_sink).expect("checks");
    let program = crate::ir::lower::lower(&file, &checked, SRC);
    let s = &program.services[0];
    assert_eq!(s.max, 20);
    let text = program.to_string();
    assert!(text.contains("p95 > 0.45s"), "{text}");
    assert!(text.contains("held for 180s"), "{text}");
}

#[test]
fn uses_are_found_with_their_parameter() {
    let (file, params, _) = declared(SRC);
    let uses = uses(&file, &params);
    let names: Vec<&str> = uses.iter().map(|(_, i)| params[*i].name.as_str()).collect();
    assert_eq!(names, ["max", "thr", "w"]);
    assert_eq!(uses[1].0.text(SRC), "$thr");
}

#[test]
fn show_value_writes_rule_file_syntax() {
    assert_eq!(show_value(75.0, Some(Unit::Percent)), "75%");
    assert_eq!(show_value(100.0, Some(Unit::Rps)), "100 rps");
    assert_eq!(show_value(2.5, None), "2.5");
    assert_eq!(show_value(2.0, Some(Unit::Minutes)), "2m");
}
