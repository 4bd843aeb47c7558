//! W231 `uneven-ladder-price`.

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::SizeCapacity;
use crate::lint::{Ctx, LintInfo};
use crate::units::fmt_num;

/// The top size "jumps" when its price per unit of capacity is more than this many times
/// the size below's.
pub const STEEP: f64 = 1.5;

pub const INFO: LintInfo = LintInfo {
    code: Code::UNEVEN_LADDER_PRICE,
    default_severity: Severity::Warning,
    docs: r#"
### What it does
Compares the price per unit of capacity (price per replica-hour / capacity per replica)
of the sizes of a ladder, smallest first. It reports a size that is **cheaper** per unit
than the size below it, and a top size that costs more than 1.5 times as much per unit as
the size below it. Sizes without a price cost the model's price per unit and are left
out; sizes whose capacities are in different units are not compared.

### Why is this bad
When a larger size is cheaper per unit of capacity, more replicas of a smaller size are
never the cheaper way to serve a load: the ladder invites running few huge replicas,
with the ceiling, the restart dips and the blast radius that come with them (check the
prices: a typo is likely). When the top size is much dearer per unit, it pays only when
nothing else fits: a policy that climbs to it routinely spends more than scaling out
would (`scalerules compare` shows by how much).

### Example
```text
size small  capacity 1x, price 0.10 per replica-hour
size medium capacity 2x, price 0.16 per replica-hour   # 0.08 per unit: cheaper than small
size xlarge capacity 4x, price 0.80 per replica-hour   # 0.20 per unit: 2.5x medium's
```
"#,
};

pub fn check(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(l) = &cx.ir.ladder else {
        return;
    };
    let base = cx.ir.model.as_ref().map(|m| m.capacity);
    // (name, unit price, absolute?) of the sizes with a price.
    let unit_price = |z: &crate::ir::Size| -> Option<(f64, bool)> {
        let p = z.price_per_hour?;
        let (cap, absolute) = match (z.capacity, base) {
            (SizeCapacity::Times(m), Some(b)) => (m * b, true),
            (SizeCapacity::Times(m), None) => (m, false),
            (SizeCapacity::PerReplica(c), _) => (c, true),
        };
        (cap > 0.0).then_some((p / cap, absolute))
    };
    let n = l.sizes.len();
    for i in 1..n {
        let (a, b) = (&l.sizes[i - 1], &l.sizes[i]);
        let (Some((qa, ka)), Some((qb, kb))) = (unit_price(a), unit_price(b)) else {
            continue;
        };
        if ka != kb {
            continue;
        }
        let span = b.span;
        if qb < qa * 0.99 {
            out.push(
                Diagnostic::warning(
                    INFO.code,
                    format!(
                        "size `{}` costs {} of `{}`'s price per unit of capacity: more replicas of a smaller size are then never cheaper",
                        b.name,
                        ratio(qb / qa),
                        a.name
                    ),
                    span,
                )
                .label("cheaper per unit than the size below")
                .with_secondary(a.span, "the size below")
                .help("check the prices: larger sizes usually cost at least as much per unit of capacity"),
            );
        } else if i + 1 == n && qb > qa * STEEP {
            out.push(
                Diagnostic::warning(
                    INFO.code,
                    format!(
                        "the top size `{}` costs {} as much per unit of capacity as `{}`: it pays only when nothing else fits",
                        b.name,
                        ratio(qb / qa),
                        a.name
                    ),
                    span,
                )
                .label("steep price per unit")
                .with_secondary(a.span, "the size below")
                .help("drop the top size and scale out past the one below, or compare both policies with `scalerules compare`"),
            );
        }
    }
}

fn ratio(x: f64) -> String {
    format!("{}x", fmt_num((x * 100.0).round() / 100.0))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::test_util::codes;

    fn w231(sizes: &str) -> Vec<usize> {
        let src = format!("replicas 2..2\nmetric cpu in %\n{sizes}when cpu > 80% scale up\nwhen cpu < 20% scale down\n");
        codes(&src)
            .into_iter()
            .filter(|c| c.0 == "W231")
            .map(|c| c.1)
            .collect()
    }

    #[test]
    fn fires_when_a_larger_size_is_cheaper_per_unit() {
        assert_eq!(
            w231("size s capacity 1x, price 0.10 per replica-hour\nsize m capacity 2x, price 0.16 per replica-hour\n"),
            [4]
        );
    }

    #[test]
    fn fires_when_the_top_jumps() {
        assert_eq!(
            w231("size s capacity 1x, price 0.10 per replica-hour\nsize m capacity 2x, price 0.20 per replica-hour\nsize xl capacity 4x, price 0.80 per replica-hour\n"),
            [5]
        );
    }

    #[test]
    fn quiet_on_a_gently_rising_ladder_or_without_prices() {
        assert!(w231("size s capacity 1x, price 0.10 per replica-hour\nsize m capacity 2x, price 0.21 per replica-hour\nsize l capacity 4x, price 0.45 per replica-hour\n").is_empty());
        assert!(w231("size s capacity 1x\nsize m capacity 2x\n").is_empty());
    }
}
