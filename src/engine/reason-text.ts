import type { Reason, ReasonEffect } from '../schema/reason.js';

/**
 * How a reason reads to a person, in one place: which reason heads a decision, the one-line form (terminal,
 * dashboard, report, alerts, annotations) and the long form (evidence write-ups). Leads with what people ask —
 * how much worse the canary is and how sure we are — and keeps the statistic for the long form:
 *   error-rate: canary 1.9× baseline (1.0–4.3), 34 vs 17.6 expected errors — regressed
 * The signal is said once: a message that still starts with it (evidence written before messages dropped it)
 * loses the repeat.
 */

const SEVERITY: Record<Reason['verdict'], number> = { fail: 0, inconclusive: 1, pass: 2 };

/** The reasons worst first (fail, inconclusive, pass), keeping the engine's order within a verdict. */
export function rankReasons(reasons: readonly Reason[]): Reason[] {
  return reasons
    .map((r, i) => ({ r, i }))
    .sort((a, b) => SEVERITY[a.r.verdict] - SEVERITY[b.r.verdict] || a.i - b.i)
    .map((x) => x.r);
}

/** The reason that speaks for a decision: the first failing one, else the first inconclusive, else the first. */
export function headlineReason(reasons: readonly Reason[]): Reason | undefined {
  return rankReasons(reasons)[0];
}

/** The failing reasons, or all of them when none failed (what a review lists as "why"). */
export function decisiveReasons(reasons: readonly Reason[]): Reason[] {
  const failing = reasons.filter((r) => r.verdict === 'fail');
  return failing.length ? failing : [...reasons];
}

const OUTCOME: Record<Reason['verdict'], string> = {
  fail: 'regressed',
  pass: 'no regression found',
  inconclusive: 'not conclusive yet',
};

/** A ratio as people read it: two significant figures, ∞ for an unbounded upper bound. */
function times(x: number | null): string {
  if (x === null || x === Infinity) return '∞';
  return x >= 10 ? String(Math.round(x)) : x.toFixed(1);
}

function count(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(3)));
}

function effectText(e: ReasonEffect, verdict: Reason['verdict']): string {
  const counts = `${count(e.observed)} vs ${count(e.expected)} expected ${e.counted}`;
  if (e.ratio === null) return `no ${e.counted} on canary yet (${count(e.expected)} expected) — ${OUTCOME[verdict]}`;
  const bounds = e.lower === null ? '' : ` (${times(e.lower)}–${times(e.upper)})`;
  return `canary ${times(e.ratio)}× baseline${bounds}, ${counts} — ${OUTCOME[verdict]}`;
}

/** The message without a leading repeat of the signal ("error-rate regressed: …" → "regressed: …"). */
export function reasonSentence(r: Reason): string {
  const m = r.message;
  if (!m.toLowerCase().startsWith(r.signal.toLowerCase())) return m;
  return m.slice(r.signal.length).replace(/^[\s:—-]+/, '') || m;
}

/** The finding without its label, for views that show the signal in a column of its own. */
export function reasonBody(r: Reason): string {
  return r.effect ? effectText(r.effect, r.verdict) : reasonSentence(r);
}

/** One line: "signal: finding". */
export function reasonLine(r: Reason): string {
  return `${r.signal}: ${reasonBody(r)}`;
}

function stat(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '—';
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}

/** The statistic behind the verdict, e.g. "mixture-likelihood-ratio 285.3 vs threshold 200". */
export function reasonStatistic(r: Reason): string {
  return `${r.statistic} ${stat(r.value)} vs threshold ${stat(r.threshold)}`;
}

/**
 * The long form, for write-ups: signal and verdict, the finding, then the statistic behind it.
 * `label` styles the signal (e.g. bold in Markdown).
 */
export function reasonLong(r: Reason, label: (signal: string) => string = (s) => s): string {
  return `${label(r.signal)} (${r.verdict}): ${reasonBody(r)} (${reasonStatistic(r)})`;
}

/** The headline reason in one line, or undefined without reasons. */
export function headline(reasons: readonly Reason[]): string | undefined {
  const r = headlineReason(reasons);
  return r ? reasonLine(r) : undefined;
}
