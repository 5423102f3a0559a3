//! Schedules changed for an experiment: every phase's batch replaced, the total number of
//! steps scaled, recording switched off.

use crate::ir::Ir;

/// A copy of `ir` whose every phase trains with `batch` (when given) and whose schedule has
/// `steps` steps in total (when given, see [`scale_steps`]); never recorded.
pub fn with_schedule(ir: &Ir, batch: Option<u64>, steps: Option<u64>) -> Ir {
    let mut copy = ir.clone();
    if let Some(train) = copy.train.as_mut() {
        if let Some(batch) = batch {
            for phase in &mut train.phases {
                phase.batch = batch;
            }
        }
        if let Some(total) = steps {
            let old: Vec<u64> = train.phases.iter().map(|p| p.steps).collect();
            for (phase, s) in train.phases.iter_mut().zip(scale_steps(&old, total)) {
                phase.steps = s;
            }
        }
        train.record = None;
    }
    copy
}

/// Phase lengths scaled to add up to `total`, each in proportion to `old` (cumulative
/// rounding down, so the sum is exact). A schedule of zero steps puts everything in the last
/// phase.
pub fn scale_steps(old: &[u64], total: u64) -> Vec<u64> {
    let sum: u128 = old.iter().map(|&s| u128::from(s)).sum();
    if old.is_empty() {
        return Vec::new();
    }
    if sum == 0 {
        let mut out = vec![0; old.len()];
        if let Some(last) = out.last_mut() {
            *last = total;
        }
        return out;
    }
    let mut out = Vec::with_capacity(old.len());
    let (mut cum_old, mut cum_new) = (0u128, 0u64);
    for (i, &s) in old.iter().enumerate() {
        cum_old += u128::from(s);
        let next = if i + 1 == old.len() {
            total
        } else {
            match u128::from(total).checked_mul(cum_old) {
                // cum_old <= sum, so the quotient is <= total and fits in u64.
                Some(p) => u64::try_from(p / sum).unwrap_or(total),
                // Astronomic schedules: the proportion in floating point is close enough.
                None => (total as f64 * (cum_old as f64 / sum as f64)) as u64,
            }
        }
        .clamp(cum_new, total);
        out.push(next - cum_new);
        cum_new = next;
    }
    out
}

/// Total steps of `ir`'s schedule (saturating; 0 without one).
pub fn total_steps(ir: &Ir) -> u64 {
    ir.train.as_ref().map_or(0, |t| {
        t.phases
            .iter()
            .fold(0u64, |acc, p| acc.saturating_add(p.steps))
    })
}

#[cfg(test)]
mod tests {
    use super::scale_steps;

    #[test]
    fn scaled_steps_add_up() {
        assert_eq!(scale_steps(&[1500], 300), vec![300]);
        assert_eq!(scale_steps(&[100, 200, 100], 8), vec![2, 4, 2]);
        let s = scale_steps(&[1, 1, 1], 10);
        assert_eq!(s.iter().sum::<u64>(), 10);
        assert_eq!(scale_steps(&[0, 0], 5), vec![0, 5]);
        assert_eq!(
            scale_steps(&[u64::MAX, u64::MAX], u64::MAX)
                .iter()
                .fold(0u64, |a, &b| a.wrapping_add(b)),
            u64::MAX
        );
    }
}
