//! The Pareto front: the variants no other variant beats on every objective at once.
//! All objectives are minimised.

/// Whether `a` is at least as good as `b` everywhere and better somewhere.
pub fn dominates(a: &[f64], b: &[f64]) -> bool {
    let mut better = false;
    for (x, y) in a.iter().zip(b) {
        if x > y {
            return false;
        }
        if x < y {
            better = true;
        }
    }
    better
}

/// The indices of the non-dominated points among `points` (`None`: not a candidate),
/// ordered by the first objective, then the others, then the index. Of several points
/// with the very same objectives only the first (lowest index) is kept.
pub fn pareto(points: &[Option<Vec<f64>>]) -> Vec<usize> {
    let candidates: Vec<(usize, &Vec<f64>)> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.as_ref().map(|p| (i, p)))
        .collect();
    let mut front: Vec<usize> = candidates
        .iter()
        .filter(|(i, p)| {
            !candidates
                .iter()
                .any(|(j, q)| dominates(q, p) || (j < i && q == p))
        })
        .map(|(i, _)| *i)
        .collect();
    front.sort_by(|&a, &b| {
        let (pa, pb) = (points[a].as_deref(), points[b].as_deref());
        pa.partial_cmp(&pb)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    front
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_small_set_has_the_front_one_computes_by_hand() {
        let p = |v: &[f64]| Some(v.to_vec());
        let points = vec![
            p(&[10.0, 5.0]), // 0: front
            p(&[12.0, 5.0]), // 1: dominated by 0
            p(&[8.0, 9.0]),  // 2: front
            None,            // 3: not a candidate
            p(&[10.0, 5.0]), // 4: the same as 0: left out
            p(&[20.0, 0.0]), // 5: front
            p(&[9.0, 9.0]),  // 6: dominated by 2
        ];
        assert_eq!(pareto(&points), vec![2, 0, 5]);
    }

    proptest! {
        /// No point of the front is dominated by any candidate, and every candidate
        /// left out is dominated by, or equal to, a point of the front.
        #[test]
        fn the_front_holds_no_dominated_point(
            pts in proptest::collection::vec(
                proptest::option::of(proptest::collection::vec(0u8..6, 3)), 0..40)
        ) {
            let points: Vec<Option<Vec<f64>>> = pts
                .iter()
                .map(|p| p.as_ref().map(|v| v.iter().map(|&x| f64::from(x)).collect()))
                .collect();
            let front = pareto(&points);
            for &i in &front {
                let p = points[i].as_ref().expect("a candidate");
                for q in points.iter().flatten() {
                    prop_assert!(!dominates(q, p));
                }
            }
            for (i, p) in points.iter().enumerate() {
                let Some(p) = p else { continue };
                if !front.contains(&i) {
                    let covered = front.iter().any(|&f| {
                        let q = points[f].as_ref().expect("front");
                        dominates(q, p) || q == p
                    });
                    prop_assert!(covered);
                }
            }
        }
    }
}
