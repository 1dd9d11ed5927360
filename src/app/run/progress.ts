import { headline, rankReasons, reasonLine } from '../../engine/reason-text.js';
import type { ControllerEvent, ControllerView, RolloutSnapshot } from '../../controller/view.js';

type Out = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

const pct = (x: number): string => `${Math.round(x)}%`;
const bar = (f: number, width = 12): string =>
  `${'█'.repeat(Math.round(f * width))}${'░'.repeat(width - Math.round(f * width))}`;

/** A baseline's counts, and whether the judge compared the canary with it (`run --baseline`, the demo). */
function controlText(p: { controlRequests?: number; controlErrors?: number; comparison?: string }): string {
  if (p.controlRequests === undefined) return '';
  const judged = p.comparison === 'baseline' ? ' (judged vs it)' : '';
  return `  baseline ${p.controlErrors}/${p.controlRequests} err${judged}`;
}

/** One line per event, for logs and CI (non-TTY, or --no-ui). */
export function eventLine(e: ControllerEvent, view: ControllerView): string | undefined {
  if (e.type === 'interval') {
    const p = e.point;
    const s = view.get(e.rolloutId);
    const syn = p.syntheticAvailability === null ? 'n/a' : p.syntheticAvailability.toFixed(2);
    return (
      `${e.rolloutId}  t=${p.t.toFixed(0)}s step ${p.step + 1}/${s?.stepCount ?? '?'}` +
      ` weight ${pct(p.weight)}  score ${p.score.toFixed(3)} ${p.verdict}  ` +
      `canary ${p.canaryErrors}/${p.canaryRequests} err  stable ${p.baselineErrors}` +
      `/${p.baselineRequests} err${controlText(p)}  synthetic ${syn}` +
      `${p.warmup ? '  warm-up: observed, not judged' : ''}`
    );
  }
  if (e.type === 'decision') {
    const d = e.decision;
    const why = headline(d.reasons);
    return (
      `${e.rolloutId}  ${d.action.toUpperCase()} → step ${d.step + 1} weight ${pct(d.weight)}` +
      ` (by ${d.by})${why ? ` — ${why}` : ''}`
    );
  }
  return undefined;
}

function block(s: RolloutSnapshot, width: number): string[] {
  const head =
    `${s.id.padEnd(18)} ${s.phase.padEnd(11)} step ${s.step + 1}/${s.stepCount}` +
    `  weight ${pct(s.weight).padStart(4)}  bake ${bar(s.bakeProgress)}  ` +
    `score ${s.score.toFixed(3)} ${s.verdict}`;
  const extra =
    s.rollbackDurationSeconds !== null ? `  rollback ${(s.rollbackDurationSeconds * 1000).toFixed(1)} ms` : '';
  const lines = [head + extra];
  for (const r of rankReasons(s.reasons).slice(0, 3))
    lines.push(`   ${r.verdict === 'fail' ? '✗' : r.verdict === 'pass' ? '✓' : '…'} ${reasonLine(r)}`);
  return lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
}

/**
 * Terminal progress. On a TTY: a live view redrawn in place (step, weight, bake progress, score, verdict and
 * the top reasons of every rollout). Otherwise: one line per interval and per decision.
 */
export function attachProgress(view: ControllerView, out: Out, opts: { live: boolean }): () => void {
  if (!opts.live) {
    return view.subscribe((e) => {
      const line = eventLine(e, view);
      if (line) out.write(`${line}\n`);
    });
  }
  let drawn = 0;
  const draw = (): void => {
    const width = Math.max(60, (out.columns ?? 120) - 1);
    const lines = view.list().flatMap((s) => block(s, width));
    out.write(`${drawn ? `\x1b[${drawn}A` : ''}\x1b[J${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const unsub = view.subscribe((e) => {
    if (e.type === 'decision') {
      // Decisions scroll above the live block, so the history stays on screen.
      const line = eventLine(e, view);
      out.write(`${drawn ? `\x1b[${drawn}A` : ''}\x1b[J${line ?? ''}\n`);
      drawn = 0;
    }
    draw();
  });
  const timer = setInterval(draw, 500);
  timer.unref();
  return () => {
    clearInterval(timer);
    unsub();
    draw();
  };
}
