//! The variants to try: the full grid of the parameters' values when it fits the
//! budget, otherwise a seeded sample of it (Latin hypercube or uniform random). A
//! variant is one index into each parameter's values; the current file (every default)
//! is always variant 0.

use crate::datagen::rng::Rng;
use crate::params::Param;
use serde::Serialize;
use std::collections::HashSet;

/// How the space is searched when the grid is larger than the budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Sampling {
    /// Latin hypercube: each parameter's values are covered evenly.
    Lhs,
    /// Uniform random values, drawn independently.
    Random,
}

/// How the variants were chosen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpaceInfo {
    /// The number of points in the full grid (saturating).
    pub grid: u64,
    /// `grid` when the whole grid was run, else `lhs` or `random`.
    pub method: String,
    pub seed: u64,
    pub budget: usize,
}

/// A variant: each parameter's value (in the unit of its default).
pub type Values = Vec<f64>;

/// The number of points in the grid of `params`, saturating at `u64::MAX`.
pub fn grid_size(params: &[&Param]) -> u64 {
    params
        .iter()
        .fold(1u64, |n, p| n.saturating_mul(p.values.len() as u64))
}

/// The variants for `params`: the defaults first, then the grid (when it holds at most
/// `budget` points) or `budget` sampled points, without repeats. Deterministic for a
/// seed.
pub fn variants(
    params: &[&Param],
    budget: usize,
    sampling: Sampling,
    seed: u64,
) -> (Vec<Values>, SpaceInfo) {
    let grid = grid_size(params);
    let defaults: Values = params.iter().map(|p| p.default).collect();
    let mut seen: HashSet<Vec<u64>> = HashSet::new();
    let key = |v: &Values| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
    seen.insert(key(&defaults));
    let mut out = vec![defaults];
    let whole = grid <= budget as u64;
    let points: Vec<Vec<usize>> = if whole {
        full_grid(params)
    } else {
        match sampling {
            Sampling::Lhs => latin_hypercube(params, budget, seed),
            Sampling::Random => random(params, budget, seed),
        }
    };
    let value =
        |idx: &[usize]| -> Values { idx.iter().zip(params).map(|(&i, p)| p.values[i]).collect() };
    for idx in points {
        let v = value(&idx);
        if seen.insert(key(&v)) {
            out.push(v);
        }
    }
    // A sample repeats points where a parameter has fewer values than the budget: top
    // it up with random points until it holds `budget` besides the defaults.
    if !whole {
        let mut rng = Rng::stream(seed, u64::MAX);
        let mut tries = 0;
        while out.len() <= budget && tries < budget.saturating_mul(20) {
            tries += 1;
            let idx: Vec<usize> = params
                .iter()
                .map(|p| below(&mut rng, p.values.len()))
                .collect();
            let v = value(&idx);
            if seen.insert(key(&v)) {
                out.push(v);
            }
        }
    }
    let method = if whole {
        "grid".to_string()
    } else {
        match sampling {
            Sampling::Lhs => "lhs".into(),
            Sampling::Random => "random".into(),
        }
    };
    (
        out,
        SpaceInfo {
            grid,
            method,
            seed,
            budget,
        },
    )
}

/// Every combination, the last parameter varying fastest.
fn full_grid(params: &[&Param]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    for p in params {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                (0..p.values.len()).map(move |i| {
                    let mut v = prefix.clone();
                    v.push(i);
                    v
                })
            })
            .collect();
    }
    out
}

/// `n` points: each parameter's range cut into `n` equal strata, one point per stratum
/// (at a random place in it), the strata of the parameters paired by random shuffles.
fn latin_hypercube(params: &[&Param], n: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut points = vec![Vec::with_capacity(params.len()); n];
    for (k, p) in params.iter().enumerate() {
        let mut rng = Rng::stream(seed, k as u64);
        let mut strata: Vec<usize> = (0..n).collect();
        shuffle(&mut strata, &mut rng);
        let len = p.values.len();
        for (point, s) in points.iter_mut().zip(strata) {
            let u = (s as f64 + rng.uniform()) / n as f64;
            point.push(((u * len as f64) as usize).min(len - 1));
        }
    }
    points
}

/// `n` points drawn uniformly from the grid.
fn random(params: &[&Param], n: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            params
                .iter()
                .map(|p| below(&mut rng, p.values.len()))
                .collect()
        })
        .collect()
}

/// A uniform index below `n` (`n` ≥ 1).
fn below(rng: &mut Rng, n: usize) -> usize {
    ((rng.uniform() * n as f64) as usize).min(n - 1)
}

/// Fisher–Yates.
fn shuffle(v: &mut [usize], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        let j = below(rng, i + 1);
        v.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(src: &str) -> Vec<Param> {
        crate::compile(src, "t").params
    }

    const SRC: &str = "replicas 1..5\nmetric cpu = column \"cpu\" in %\n\
        param a = 50% in 10%..90% step 10%\nparam b = 2 in 1..5\nparam c = 1m in [1m, 2m]\n\
        when cpu > $a for $c scale out by $b\n";

    #[test]
    fn a_small_grid_is_run_whole_after_the_defaults() {
        let ps = params(SRC);
        let refs: Vec<&Param> = ps.iter().collect();
        assert_eq!(grid_size(&refs), 9 * 5 * 2);
        let (v, info) = variants(&refs, 90, Sampling::Lhs, 1);
        assert_eq!(info.method, "grid");
        assert_eq!(v.len(), 90);
        assert_eq!(v[0], vec![50.0, 2.0, 1.0]);
        assert_eq!(v[1], vec![10.0, 1.0, 1.0]);
        assert_eq!(v[2], vec![10.0, 1.0, 2.0]);
    }

    #[test]
    fn a_sample_holds_the_budget_without_repeats_and_depends_on_the_seed_only() {
        let ps = params(SRC);
        let refs: Vec<&Param> = ps.iter().collect();
        for sampling in [Sampling::Lhs, Sampling::Random] {
            let (a, info) = variants(&refs, 40, sampling, 3);
            assert_ne!(info.method, "grid");
            assert_eq!(a.len(), 41);
            let unique: HashSet<Vec<u64>> = a
                .iter()
                .map(|v| v.iter().map(|x| x.to_bits()).collect())
                .collect();
            assert_eq!(unique.len(), 41);
            assert_eq!(variants(&refs, 40, sampling, 3).0, a);
            assert_ne!(variants(&refs, 40, sampling, 4).0, a);
        }
    }
}
