import { BEFORE_COMMIT, BEFORE_DETECTION, BEFORE_FALSE_ABORTS } from './before.js';
import { pct } from './format.js';
import type { Cell } from './summary.js';

const SEQ = 'sequential';

/**
 * The sequential judge before the change-point detector (before.ts) next to this run, all against this run's oracle.
 */
export function beforeAfter(cells: Cell[]): string[] {
  const get = (scenario: string, judge: string): Cell | undefined =>
    cells.find((c) => c.scenario === scenario && c.judge === judge);
  const oracle = (scenario: string): Cell | undefined =>
    cells.find((c) => c.scenario === scenario && c.judge.startsWith('oracle'));
  const vs = (median: number | null | undefined, o: Cell | undefined): string =>
    median == null || !o || o.medianDetected === null ? '–' : `${(median / o.medianDetected).toFixed(2)}×`;
  const cell = (d: [number, number] | undefined, o: Cell | undefined): string =>
    d ? `${pct(d[0])}, ${d[1]} s (${vs(d[1], o)})` : '–';
  return [
    `## Sequential judge before / after the change-point detector (same evaluation seeds)`,
    '',
    `Original = commit ${BEFORE_COMMIT} ` +
      `(bench/results/judges-before-change-points.md); state machine = ` +
      `decisions by the`,
    'controller’s state machine, judge unchanged; after = this run. ' +
      'Detected share, median time to detect over detected',
    'runs (the original’s definition), and that median ÷ the oracle’s median over its detected runs.',
    '',
    '| condition | false aborts: original = state machine | after |',
    '|---|---|---|',
    ...Object.entries(BEFORE_FALSE_ABORTS).map(([name, b]) => {
      const c = get(name, SEQ);
      return `| ${name} | ${pct(b.falseAborts)} | ${c ? pct(c.rollbackRate) : '–'} |`;
    }),
    '',
    '| regression | original | state machine | after |',
    '|---|---|---|---|',
    ...Object.entries(BEFORE_DETECTION).map(([name, b]) => {
      const c = get(name, SEQ);
      const o = oracle(name);
      const after: [number, number] | undefined =
        c && c.medianDetected !== null ? [c.rollbackRate, c.medianDetected] : undefined;
      return `| ${name} | ${cell(b.original, o)} | ${cell(b.stateMachine, o)} | ${cell(after, o)} |`;
    }),
  ];
}
