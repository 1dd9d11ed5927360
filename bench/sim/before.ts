/**
 * The sequential judge before the change-point detector, on the same evaluation seeds, in two steps:
 * - "original": `npm run bench:judges` at commit ff636f8, before anything changed (decisions by the former
 *   run-outcome.ts; one mixture over ratios from the first interval on); its full output is
 *   bench/results/judges-before-change-points.md;
 * - "state machine": this bench with decisions by the controller's state machine (replay-run.ts) and the judge
 *   still unchanged (the commit that added the oracle), so the judge change is measured on one decision path.
 * Times to detect are medians over detected runs (the original's definition), compared with `medianDetected`.
 */
export const BEFORE_COMMIT = 'ff636f8';

interface Before {
  falseAborts: number;
}
interface BeforeDetection {
  /** Detected share, median seconds after onset over detected runs. */
  original?: [number, number];
  stateMachine: [number, number];
}

/** False aborts: identical in both steps (the state machine changed no healthy run's outcome). */
export const BEFORE_FALSE_ABORTS: Record<string, Before> = {
  'healthy: steady': { falseAborts: 0.001 },
  'healthy: low traffic (10 rps)': { falseAborts: 0.001 },
  'healthy: heavy-tailed latency': { falseAborts: 0.002 },
  'healthy: shared daily load swings': { falseAborts: 0.004 },
  'healthy: shared error bursts': { falseAborts: 0.008 },
  'healthy: metric gaps': { falseAborts: 0.002 },
  'healthy: unequal split (share 0.4×weight)': { falseAborts: 0.002 },
};

export const BEFORE_DETECTION: Record<string, BeforeDetection> = {
  'errors ×1.5': { original: [0.65, 290], stateMachine: [0.652, 290] },
  'errors ×2': { original: [1, 150], stateMachine: [1, 150] },
  'errors ×5': { original: [1, 20], stateMachine: [1, 20] },
  'latency +20% (median shift)': { original: [1, 20], stateMachine: [1, 20] },
  'latency tail-only (slowest 5% ×1.5)': { original: [1, 50], stateMachine: [1, 50] },
  'late onset: errors ×2 from t=200s': { original: [0.84, 140], stateMachine: [0.84, 140] },
  'synthetic-only failure (60% pass)': { original: [1, 30], stateMachine: [1, 30] },
  'late onset: errors ×10 from t=300s': { stateMachine: [0.998, 20] },
};
