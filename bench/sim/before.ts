/**
 * The sequential judge before the change-point detector, on the same evaluation seeds: `npm run bench:judges` at
 * commit ff636f8 (decisions by the former run-outcome.ts; one mixture over ratios from the first interval on).
 * Times to detect here are over detected runs only (that run's definition), so they are compared with this run's
 * `medianDetected`. The oracle does not depend on the judge, so both sides are divided by this run's oracle.
 */
export const BEFORE_COMMIT = 'ff636f8';
export const BEFORE_FALSE_ABORTS: Record<string, number> = {
  'healthy: steady': 0.001,
  'healthy: low traffic (10 rps)': 0.001,
  'healthy: heavy-tailed latency': 0.002,
  'healthy: shared daily load swings': 0.004,
  'healthy: shared error bursts': 0.008,
  'healthy: metric gaps': 0.002,
  'healthy: unequal split (share 0.4×weight)': 0.002,
};
/** Detected share, median / p90 seconds after onset over detected runs. */
export const BEFORE_DETECTION: Record<string, [number, number, number]> = {
  'errors ×1.5': [0.65, 290, 400],
  'errors ×2': [1, 150, 250],
  'errors ×5': [1, 20, 40],
  'latency +20% (median shift)': [1, 20, 30],
  'latency tail-only (slowest 5% ×1.5)': [1, 50, 80],
  'late onset: errors ×2 from t=200s': [0.84, 140, 190],
  'synthetic-only failure (60% pass)': [1, 30, 60],
};
