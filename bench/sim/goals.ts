import { pct, s } from './format.js';
import type { Cell } from './summary.js';

const SEQ = 'sequential';
const ORACLE_PREFIX = 'oracle';

/** "1.23×" — a judge's median time to detect ÷ the oracle's (both counting misses as never). */
export function ratioToOracle(c: Cell, oracle: Cell | undefined): string {
  if (c.judge.startsWith(ORACLE_PREFIX)) return '1.00× (itself)';
  if (!oracle || oracle.medianDetect === null) return 'oracle never';
  if (c.medianDetect === null) return 'never';
  return `${(c.medianDetect / oracle.medianDetect).toFixed(2)}×`;
}

const isErrorRegression = (name: string): boolean => /errors ×/.test(name);

/**
 * The goals for the sequential judge: false aborts ≤ 0.5% in every healthy condition; ≥ 99% detection of errors ×2
 * and of late-onset ×2; median time to detect ≤ 1.3 × the oracle's + one interval on every error regression. Where
 * the oracle itself misses the bar, the goal is impossible for any judge and the line says so with its numbers.
 */
export function goals(cells: Cell[], intervalSeconds: number): string[] {
  const seq = cells.filter((c) => c.judge === SEQ);
  if (seq.length === 0) return ['- (the sequential judge was not run)'];
  const oracleOf = (c: Cell): Cell | undefined =>
    cells.find((o) => o.scenario === c.scenario && o.judge.startsWith(ORACLE_PREFIX));
  const healthy = seq.filter((c) => c.healthy && !c.expectedAbort);
  const overFa = healthy.filter((c) => c.rollbackRate > 0.005);
  const worst = healthy.reduce<Cell | undefined>((a, c) => (!a || c.rollbackRate > a.rollbackRate ? c : a), undefined);
  const out: string[] = [];
  if (worst)
    out.push(
      `- False aborts ≤ 0.5% in every healthy condition: ${overFa.length === 0 ? 'met' : 'NOT met'}` +
        ` (worst ${pct(worst.rollbackRate)}, ${worst.scenario}` +
        (overFa.length > 0
          ? '; over: ' +
            overFa
              .map(
                (c) =>
                  `${c.scenario} ${pct(c.rollbackRate)} [${pct(c.rollbackCi[0])}–${pct(c.rollbackCi[1])}]${rules(c)}`,
              )
              .join(', ')
          : '') +
        `).`,
    );
  for (const c of seq.filter((x) => x.healthy && x.expectedAbort))
    out.push(`  - left out: ${c.scenario} (${pct(c.rollbackRate)} rolled back) — ${c.expectedAbort}.`);
  for (const name of ['errors ×2', 'late onset: errors ×2 from t=200s']) {
    const c = seq.find((x) => x.scenario === name);
    if (!c) continue;
    const o = oracleOf(c);
    const impossible = c.rollbackRate >= 0.99 ? '' : limitNote(o);
    out.push(
      `- ≥ 99% detection of ${c.scenario}: ${c.rollbackRate >= 0.99 ? 'met' : 'NOT met'}` +
        ` (${pct(c.rollbackRate)}; oracle ${o ? pct(o.rollbackRate) : '–'})${impossible}` +
        `.`,
    );
  }
  out.push(`- Median time to detect ≤ 1.3 × the oracle's + ${intervalSeconds} s on every error regression:`);
  for (const c of seq.filter((x) => !x.healthy && isErrorRegression(x.scenario))) {
    const o = oracleOf(c);
    if (!o || o.medianDetect === null) {
      out.push(
        `  - ${c.scenario}: impossible here — the oracle's median is never (it ` +
          `detects ${o ? pct(o.rollbackRate) : '–'})`,
      );
      continue;
    }
    const bound = 1.3 * o.medianDetect + intervalSeconds;
    const ok = c.medianDetect !== null && c.medianDetect <= bound;
    out.push(
      `  - ${c.scenario}: ${ok ? 'met' : 'NOT met'} (${s(c.medianDetect)} s ` +
        `vs oracle ${o.medianDetect} s, bound ${Math.round(bound)} s; ${ratioToOracle(c, o)}` +
        `)`,
    );
  }
  return out;
}

/** Why the detection goal cannot be met, when the oracle itself shows it. */
function limitNote(o: Cell | undefined): string {
  if (o && o.rollbackRate < 0.99) return ` — impossible here: the oracle itself detects ${pct(o.rollbackRate)}`;
  if (o?.withinPlanRate !== undefined && o.withinPlanRate < 0.99)
    return (
      ` — the oracle itself detects only ${pct(o.withinPlanRate)} before the last step ends, when a canary` +
      ' without strong evidence promotes (docs/statistics.md §3)'
    );
  return '';
}

function rules(c: Cell): string {
  const entries = Object.entries(c.rollbackRules ?? {});
  return entries.length ? ` by ${entries.map(([r, n]) => `${r} ×${n}`).join(', ')}` : '';
}
