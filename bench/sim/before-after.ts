import { readFileSync } from 'node:fs';
import { pct, s } from './format.js';
import type { Cell } from './summary.js';

const SEQ = 'sequential';

/**
 * The sequential judge before the last engine change, on the same evaluation seeds:
 * bench/results/sequential-before.json holds its cells (the run of that commit for the conditions it had, and that
 * commit's engine under this bench for the conditions added since). Every condition is shown next to this run, with
 * this run's oracle.
 */
interface Before {
  commit: string;
  note: string;
  cells: Cell[];
}

function loadBefore(): Before | undefined {
  try {
    return JSON.parse(readFileSync(new URL('../results/sequential-before.json', import.meta.url), 'utf8')) as Before;
  } catch {
    return undefined;
  }
}

export function beforeAfter(cells: Cell[]): string[] {
  const before = loadBefore();
  if (!before) return [];
  const get = (list: Cell[], scenario: string): Cell | undefined =>
    list.find((c) => c.scenario === scenario && c.judge === SEQ);
  const oracle = (scenario: string): Cell | undefined =>
    cells.find((c) => c.scenario === scenario && c.judge.startsWith('oracle'));
  const names = [...new Set(cells.filter((c) => c.judge === SEQ).map((c) => c.scenario))];
  const fa = (c: Cell | undefined): string =>
    c ? `${pct(c.rollbackRate)} [${pct(c.rollbackCi[0])}–${pct(c.rollbackCi[1])}]` : '–';
  const det = (c: Cell | undefined, o: Cell | undefined): string => {
    if (!c) return '–';
    const ratio =
      c.medianDetect !== null && o?.medianDetect ? ` (${(c.medianDetect / o.medianDetect).toFixed(2)}×)` : '';
    return `${pct(c.rollbackRate)}, ${s(c.medianDetect)}${ratio}`;
  };
  return [
    '## Sequential judge before / after (same evaluation seeds)',
    '',
    `Before = commit ${before.commit}: ${before.note}. After = this run. Regressions: detected share, median time to` +
      ' detect counting misses as never, and that ÷ the oracle’s median (this run’s oracle for both).',
    '',
    '| healthy condition | false aborts before | after | rolled back by (after) |',
    '|---|---|---|---|',
    ...names
      .filter((n) => cells.find((c) => c.scenario === n)?.healthy)
      .map((n) => {
        const a = get(cells, n);
        const by = Object.entries(a?.rollbackRules ?? {})
          .map(([r, k]) => `${r} ×${k}`)
          .join(', ');
        return `| ${n} | ${fa(get(before.cells, n))} | ${fa(a)} | ${by || '–'} |`;
      }),
    '',
    '| regression | before | after | oracle: detected, median (s) |',
    '|---|---|---|---|',
    ...names
      .filter((n) => !cells.find((c) => c.scenario === n)?.healthy)
      .map((n) => {
        const o = oracle(n);
        const oc = o ? `${pct(o.rollbackRate)}, ${s(o.medianDetect)}` : '–';
        return `| ${n} | ${det(get(before.cells, n), o)} | ${det(get(cells, n), o)} | ${oc} |`;
      }),
  ];
}
