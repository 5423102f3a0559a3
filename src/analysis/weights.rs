//! Sampling weights as a probability distribution over the data samples.

use super::AnalysisError;

/// Validates `weights` (one per sample, finite, `>= 0`) and divides them by their sum.
///
/// `None` when there is no probability mass at all (no sample, or every weight zero): the
/// callers then report zero information rather than dividing by zero.
pub(crate) fn probabilities(
    weights: &[f64],
    samples: usize,
) -> Result<Option<Vec<f64>>, AnalysisError> {
    super::check_len("weights", samples, weights.len())?;
    for (index, &value) in weights.iter().enumerate() {
        if !value.is_finite() || value < 0.0 {
            return Err(AnalysisError::InvalidWeight { index, value });
        }
    }
    let total: f64 = weights.iter().sum();
    if total > 0.0 && total.is_finite() {
        Ok(Some(weights.iter().map(|w| w / total).collect()))
    } else if total > 0.0 {
        // The sum of finite weights overflowed: rescale before normalising.
        let largest = weights.iter().copied().fold(0.0, f64::max);
        let scaled: Vec<f64> = weights.iter().map(|w| w / largest).collect();
        let total: f64 = scaled.iter().sum();
        Ok(Some(scaled.iter().map(|w| w / total).collect()))
    } else {
        Ok(None)
    }
}
