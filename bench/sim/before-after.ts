import { BEFORE_COMMIT, BEFORE_DETECTION, BEFORE_FALSE_ABORTS } from './before.js';
import { pct } from './format.js';
import type { Cell } from './summary.js';

const SEQ = 'sequential';

/** The sequential judge before the last engine change (before.ts) next to this run, both against this run's oracle. */
export function beforeAfter(cells: Cell[]): string[] {
  const get = (scenario: string, judge: string): Cell | undefined =>
    cells.find((c) => c.scenario === scenario && c.judge === judge);
  const oracle = (scenario: string): Cell | undefined =>
    cells.find((c) => c.scenario === scenario && c.judge.startsWith('oracle'));
  const vs = (median: number | null, o: Cell | undefined): string =>
    median === null || !o || o.medianDetected === null ? '–' : `${(median / o.medianDetected).toFixed(2)}×`;
  const after = (c: Cell | undefined): string =>
    c ? `${pct(c.rollbackRate)}, ${c.medianDetected ?? '–'} / ${c.p90Detect ?? 'never'}` : '–';
  return [
    `## Sequential judge before / after (same evaluation seeds; before = commit ${BEFORE_COMMIT}, bench/results/judges-before-change-points.md)`,
    '',
    'Times over detected runs only (the definition the before run used); ÷ oracle divides by the oracle’s median over its detected runs.',
    '',
    '| condition | before: false aborts | after |',
    '|---|---|---|',
    ...Object.entries(BEFORE_FALSE_ABORTS).map(([name, fa]) => {
      const c = get(name, SEQ);
      return `| ${name} | ${pct(fa)} | ${c ? pct(c.rollbackRate) : '–'} |`;
    }),
    '',
    '| regression | before: detected, median / p90 (s) | ÷ oracle | after | ÷ oracle |',
    '|---|---|---|---|---|',
    ...Object.entries(BEFORE_DETECTION).map(([name, [rate, median, p90]]) => {
      const c = get(name, SEQ);
      const o = oracle(name);
      return `| ${name} | ${pct(rate)}, ${median} / ${p90} | ${vs(median, o)} | ${after(c)} | ${vs(c?.medianDetected ?? null, o)} |`;
    }),
  ];
}
