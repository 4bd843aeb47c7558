//! The size ladder (vertical scaling): `size` lines, `resize`, `cooldown up/down`, and the
//! `scale up` / `scale down` actions that move along it. The checked ladder is what the
//! IR carries (`ir::Ladder`).

use super::ServiceChecker;
use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::span::{line_col, Span};
use crate::syntax::ast::{self, Item, ModelItem, SizeCapacity, SizeDirection, SizeStep};
use crate::units::Millis;
use serde::Serialize;

/// The service's sizes, smallest first, and what moving between them costs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ladder {
    pub sizes: Vec<Size>,
    /// Index of the starting size (`start` on a `size` line, else 0).
    pub start: usize,
    pub resize: Resize,
    /// After any `scale up`, no `scale up` for this long (0: none).
    pub cooldown_up: Millis,
    /// After any `scale down`, no `scale down` for this long (0: none).
    pub cooldown_down: Millis,
}

/// One rung of the ladder.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Size {
    pub name: String,
    pub capacity: Capacity,
    /// Money per replica-hour at this size; `None`: the model's price times the size's
    /// capacity over the model's capacity.
    pub price_per_hour: Option<f64>,
    pub line: usize,
    pub span: Span,
}

/// A size's capacity per replica.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capacity {
    /// `capacity 2x`: times the model's `capacity … per replica`
    Times(f64),
    /// `capacity 400 rps`: in SI (the model demand's unit when none is written)
    PerReplica(f64),
}

impl Capacity {
    /// The capacity per replica, given the model's base capacity (SI).
    pub fn resolve(self, base: f64) -> f64 {
        match self {
            Capacity::Times(m) => m * base,
            Capacity::PerReplica(c) => c,
        }
    }
}

/// What a resize costs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resize {
    /// `resize in place`: the new size at once, no dip.
    InPlace,
    /// `resize restart D, N at a time` (default: the model's startup, 1 at a time): a
    /// rolling restart; a restarting replica serves nothing for `restart`.
    Restart {
        /// `None`: the model's `startup`.
        restart: Option<Millis>,
        at_a_time: u32,
    },
}

impl Ladder {
    /// The index of the size named `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.sizes.iter().position(|s| s.name == name)
    }

    pub fn top(&self) -> usize {
        self.sizes.len().saturating_sub(1)
    }

    /// Each size's capacity per replica (SI) given the model's base capacity.
    pub fn capacities(&self, base: f64) -> Vec<f64> {
        self.sizes
            .iter()
            .map(|s| s.capacity.resolve(base))
            .collect()
    }

    /// Each size's price per replica-hour, given the model's base capacity and price.
    pub fn prices(&self, base_capacity: f64, base_price: Option<f64>) -> Vec<Option<f64>> {
        self.sizes
            .iter()
            .map(|s| {
                s.price_per_hour.or_else(|| {
                    base_price.map(|p| p * s.capacity.resolve(base_capacity) / base_capacity)
                })
            })
            .collect()
    }

    /// The restart time of one replica and how many restart at once.
    pub fn restart(&self, startup: Millis) -> Option<(Millis, u32)> {
        match self.resize {
            Resize::InPlace => None,
            Resize::Restart { restart, at_a_time } => {
                Some((restart.unwrap_or(startup), at_a_time.max(1)))
            }
        }
    }
}

/// The model's `capacity` as written, in SI when it has a unit, for comparing rungs.
fn model_base(s: &ast::Service) -> Option<f64> {
    s.items.iter().find_map(|i| match i {
        Item::Model(m) => m.items.iter().find_map(|mi| match mi {
            ModelItem::Capacity(q, _) => Some(
                q.unit
                    .as_ref()
                    .map_or(q.value.value, |u| u.node.to_si(q.value.value)),
            ),
            _ => None,
        }),
        _ => None,
    })
}

impl ServiceChecker<'_> {
    /// The `size`, `resize` and `cooldown up/down` lines of a service; `None` when it
    /// has no `size` line (then the other two are errors).
    pub(super) fn ladder(&mut self, s: &ast::Service) -> Option<Ladder> {
        let decls: Vec<&ast::SizeDecl> = s
            .items
            .iter()
            .filter_map(|i| if let Item::Size(d) = i { Some(d) } else { None })
            .collect();
        let base = model_base(s);
        let mut sizes: Vec<Size> = Vec::new();
        let mut start: Option<(usize, Span)> = None;
        let mut previous: Option<(f64, Span)> = None;
        for d in &decls {
            if let Some(first) = sizes.iter().find(|x| x.name == d.name.node) {
                let first = first.span;
                self.duplicate("size", d.name.span, first);
                continue;
            }
            for (_, span) in d.capacity.iter().skip(1) {
                self.duplicate("capacity", *span, d.capacity[0].1);
            }
            for p in d.price.iter().skip(1) {
                self.duplicate("price", p.span, d.price[0].span);
            }
            let Some((cap, cap_span)) = d.capacity.first() else {
                self.sink.push(
                    Diagnostic::error(
                        Code::INVALID_LADDER,
                        format!("size `{}` has no capacity", d.name.node),
                        d.span,
                    )
                    .label("needs `capacity …`")
                    .help("give its capacity per replica, as a multiple of the model's (`capacity 2x`) or in the demand's unit (`capacity 400 rps`)"),
                );
                continue;
            };
            let (value, capacity) = match cap {
                SizeCapacity::Times(n) => (n.value, Capacity::Times(n.value)),
                SizeCapacity::Absolute(q) => {
                    let si = q
                        .unit
                        .as_ref()
                        .map_or(q.value.value, |u| u.node.to_si(q.value.value));
                    (q.value.value, Capacity::PerReplica(si))
                }
            };
            if !(value > 0.0 && value.is_finite()) {
                self.sink.push(
                    Diagnostic::error(
                        Code::INVALID_LADDER,
                        "a size's capacity must be positive",
                        *cap_span,
                    )
                    .label("not positive")
                    .help("write a positive capacity, e.g. `capacity 2x`"),
                );
                continue;
            }
            if let Some(p) = d.price.first().filter(|p| p.value < 0.0) {
                self.sink.push(
                    Diagnostic::error(Code::INVALID_LADDER, "a price cannot be negative", p.span)
                        .label("negative price")
                        .help("give the price of one replica of this size for one hour, e.g. `price 0.20 per replica-hour`"),
                );
            }
            // Rungs are compared when both can be put in one unit.
            let comparable = match capacity {
                Capacity::Times(m) => base.map(|b| m * b),
                Capacity::PerReplica(c) => Some(c),
            };
            if let (Some(now), Some((before, before_span))) = (comparable, previous) {
                if now <= before {
                    self.sink.push(
                        Diagnostic::error(
                            Code::INVALID_LADDER,
                            format!("size `{}` is not larger than the size before it", d.name.node),
                            *cap_span,
                        )
                        .label("capacity not above the previous size's")
                        .with_secondary(before_span, "the previous size")
                        .help("list sizes smallest first, each with more capacity per replica than the one before"),
                    );
                }
            }
            if let Some(c) = comparable {
                previous = Some((c, *cap_span));
            }
            for st in &d.start {
                match start {
                    Some((_, first)) => {
                        self.sink.push(
                            Diagnostic::error(Code::INVALID_LADDER, "two starting sizes", *st)
                                .label("a second `start`")
                                .with_secondary(first, "the first `start`")
                                .help("mark one size `start` (without one, the service starts at the first size)"),
                        );
                    }
                    None => start = Some((sizes.len(), *st)),
                }
            }
            sizes.push(Size {
                name: d.name.node.clone(),
                capacity,
                price_per_hour: d.price.first().map(|p| p.value),
                line: line_col(self.src, d.span.start).0,
                span: d.span,
            });
        }

        let mut resize = Resize::Restart {
            restart: None,
            at_a_time: 1,
        };
        let mut seen_resize: Option<Span> = None;
        let mut cooldown = [0, 0];
        let mut seen_cooldown: [Option<Span>; 2] = [None, None];
        for item in &s.items {
            match item {
                Item::Resize(r) => {
                    if let Some(first) = seen_resize.replace(r.span()) {
                        self.duplicate("resize", r.span(), first);
                    }
                    if decls.is_empty() {
                        self.no_ladder(r.span(), "`resize`");
                    }
                    resize = match r {
                        ast::ResizeDecl::InPlace(_) => Resize::InPlace,
                        ast::ResizeDecl::Restart {
                            restart, at_a_time, ..
                        } => {
                            let restart = self.duration(restart, "a restart time", true);
                            let n = at_a_time.as_ref().map_or(Some(1), |n| self.at_a_time(n));
                            Resize::Restart {
                                restart: Some(restart.unwrap_or(0)),
                                at_a_time: n.unwrap_or(1),
                            }
                        }
                    };
                }
                Item::SizeCooldown(list) => {
                    for dc in list {
                        if decls.is_empty() {
                            self.no_ladder(dc.direction.span, "`cooldown up`/`cooldown down`");
                        }
                        let i = usize::from(dc.direction.node == SizeDirection::Down);
                        if let Some(first) = seen_cooldown[i].replace(dc.direction.span) {
                            self.duplicate("cooldown direction", dc.direction.span, first);
                        }
                        cooldown[i] = self.duration(&dc.duration, "a cooldown", true).unwrap_or(0);
                    }
                }
                _ => {}
            }
        }
        (!sizes.is_empty()).then(|| Ladder {
            sizes,
            start: start.map_or(0, |s| s.0),
            resize,
            cooldown_up: cooldown[0],
            cooldown_down: cooldown[1],
        })
    }

    fn at_a_time(&mut self, n: &ast::Number) -> Option<u32> {
        if n.value.fract() != 0.0 || !(1.0..=1_000_000.0).contains(&n.value) {
            self.sink.push(
                Diagnostic::error(
                    Code::INVALID_LADDER,
                    format!("cannot restart `{}` replicas at a time", n.text),
                    n.span,
                )
                .label("not a whole number of at least 1")
                .help("restart at least one replica at a time, e.g. `resize restart 90s, 1 at a time`"),
            );
            return None;
        }
        Some(n.value as u32)
    }

    fn no_ladder(&mut self, span: Span, what: &str) {
        self.sink.push(
            Diagnostic::error(
                Code::VERTICAL_WITHOUT_LADDER,
                format!("{what} needs a size ladder, and the service has none"),
                span,
            )
            .label("no `size` lines")
            .help("declare the sizes smallest first, e.g. `size small capacity 1x, price 0.10 per replica-hour` and `size large capacity 2x, price 0.20 per replica-hour`"),
        );
    }

    /// `scale up …` / `scale down …`
    pub(super) fn vertical_action(
        &mut self,
        direction: SizeDirection,
        step: &SizeStep,
        span: Span,
    ) {
        let verb = match direction {
            SizeDirection::Up => "up",
            SizeDirection::Down => "down",
        };
        let Some(ladder) = &self.ladder else {
            self.no_ladder(span, &format!("`scale {verb}`"));
            return;
        };
        match step {
            SizeStep::One => {}
            SizeStep::By(a) => {
                let v = a.value.value;
                if a.percent || v.fract() != 0.0 || v < 1.0 {
                    self.sink.push(
                        Diagnostic::error(
                            Code::INVALID_AMOUNT,
                            format!("cannot scale {verb} by `{}`", a.span.text(self.src)),
                            a.span,
                        )
                        .label("not a whole number of steps")
                        .help(format!("scale {verb} by a whole number of sizes, e.g. `scale {verb} by 1`, or name one: `scale {verb} to SIZE`")),
                    );
                }
            }
            SizeStep::To(name) => {
                if ladder.index(&name.node).is_none() {
                    let known: Vec<&str> = ladder.sizes.iter().map(|s| s.name.as_str()).collect();
                    let mut help = format!("the sizes are {}", known.join(", "));
                    if let Some(s) = did_you_mean(&name.node, known.iter().copied()) {
                        help = format!("did you mean `{s}`? ({help})");
                    }
                    self.sink.push(
                        Diagnostic::error(
                            Code::UNKNOWN_SIZE,
                            format!("no size `{}` in the ladder", name.node),
                            name.span,
                        )
                        .label("unknown size")
                        .help(help),
                    );
                }
            }
        }
    }
}
