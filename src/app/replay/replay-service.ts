import { rankReasons, reasonLine } from '../../engine/reason-text.js';
import { resolve } from 'node:path';
import type { CliIO } from '../../io.js';
import { println } from '../../io.js';
import { stepsFromRecording } from '../../engine/recorded-steps.js';
import { replayIntervals, type Decision, type ReplayResult } from '../../engine/replay-run.js';
import { ConfigError, type Diagnostic } from '../../errors.js';
import { canaryPolicy, defaultPolicySpec, type JudgeName, type PolicySpec } from '../../schema/policy.js';
import { readReplayFile, type ReplayFile } from '../../sources/replay.js';
import { loadDocumentFile } from '../../read-input.js';

/** Reads every file first (all problems reported at once, exit 2), then replays each and prints its decision. */
export function runReplay(
  files: string[],
  opts: { policy?: string; judge?: JudgeName; json?: boolean },
  io: CliIO,
): Decision[] {
  const policy = opts.policy ? loadDocumentFile(resolve(io.cwd, opts.policy), canaryPolicy).value.spec : undefined;
  const loaded: ReplayFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const f of files) {
    try {
      loaded.push(readReplayFile(resolve(io.cwd, f)));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      diagnostics.push(...err.diagnostics.map((d) => ({ ...d, file: f })));
    }
  }
  if (diagnostics.length > 0) throw new ConfigError(diagnostics);
  return loaded.map((r, i) => {
    const spec = specFor(r, policy);
    const result = replayIntervals(spec, r.intervals, opts.judge ? { judge: opts.judge } : {});
    if (opts.json) printJson(io, files[i]!, result);
    else printTimeline(io, files[i]!, result);
    return result.outcome.decision;
  });
}

/**
 * The recording defines what its lines are: its latency bounds describe the histograms and its interval is
 * the analysis interval (each line is one judgement), whatever interval `--policy` would use live. Without a
 * policy the steps are the recording's own (each run of one recorded weight, baked as long as recorded) and the
 * rest is the built-in defaults; with one, the policy's steps say when the controller would have moved on.
 */
export function specFor(r: Pick<ReplayFile, 'header' | 'intervals'>, policy: PolicySpec | undefined): PolicySpec {
  const interval = r.header.intervalSeconds * 1000;
  const base = policy ?? defaultPolicySpec(r.header.service);
  const recorded = policy || r.intervals.length === 0 ? undefined : stepsFromRecording(r.intervals, interval);
  return { ...base, interval, latencyBoundsMs: r.header.latencyBoundsMs, ...(recorded ? { steps: recorded } : {}) };
}

function printJson(io: CliIO, file: string, { outcome }: ReplayResult): void {
  const line: Record<string, unknown> = { file, decision: outcome.decision, at: outcome.at, reasons: outcome.reasons };
  line.rule = outcome.rule;
  line.score = outcome.score;
  println(io.stdout, JSON.stringify(line));
}

function printTimeline(io: CliIO, file: string, { outcome, timeline }: ReplayResult): void {
  println(io.stdout, `${file}`);
  println(
    io.stdout,
    `  ${'t(s)'.padStart(6)}  ${'weight'.padStart(6)}  ${'score'.padStart(5)}  ${'verdict'.padEnd(12)}  reasons`,
  );
  for (const e of timeline) {
    const a = e.assessment;
    const notable = a.reasons.filter((r) => r.verdict !== 'pass');
    const shown = (notable.length > 0 ? rankReasons(notable) : a.reasons.slice(0, 1)).map(reasonLine);
    println(
      io.stdout,
      `  ${String(e.t).padStart(6)}  ${`${e.weight}%`.padStart(6)}  ${a.score.toFixed(2).padStart(5)}` +
        `  ${a.verdict.padEnd(12)}  ${shown[0] ?? ''}`,
    );
    for (const more of shown.slice(1)) println(io.stdout, `  ${' '.repeat(37)}  ${more}`);
    const d = e.decision;
    if (d && (d.action === 'step' || d.action === 'hold' || d.action === 'resume'))
      println(io.stdout, `  ${' '.repeat(37)}  ↳ ${d.action} at ${d.weight}% (${d.by})`);
  }
  const diverged = timeline.find((e) => e.weight !== e.controllerWeight);
  if (diverged)
    println(
      io.stdout,
      `  note: from t=${diverged.t}s the controller would have had the ` +
        `canary at ${diverged.controllerWeight}%, the recording is at ${diverged.weight}` +
        `%; later intervals are judged as recorded`,
    );
  println(io.stdout, `  → ${outcome.decision.toUpperCase()} at t=${outcome.at}s (${outcome.rule})`);
  println(io.stdout);
}
