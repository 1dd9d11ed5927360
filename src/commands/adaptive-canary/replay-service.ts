import { rankReasons, reasonLine } from '../../engine/reason-text.js';
import { resolve } from 'node:path';
import type { CliIO } from '../../cli/io.js';
import { println } from '../../cli/io.js';
import { replayIntervals, type ReplayResult } from '../../engine/replay-run.js';
import type { Decision } from '../../engine/run-outcome.js';
import { ConfigError, type Diagnostic } from '../../errors.js';
import { loadDocumentFile } from '../../schema/load-document.js';
import { canaryPolicy, defaultPolicySpec, type JudgeName, type PolicySpec } from '../../schema/policy.js';
import { readReplayFile, type ReplayFile } from '../../sources/replay.js';

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
    const result = replayIntervals(spec, r.intervals, opts.judge);
    if (opts.json) printJson(io, files[i]!, result);
    else printTimeline(io, files[i]!, result);
    return result.outcome.decision;
  });
}

/**
 * The recording defines what its lines are: its latency bounds describe the histograms and its interval is
 * the analysis interval (each line is one judgement), whatever interval `--policy` would use live.
 */
export function specFor(r: Pick<ReplayFile, 'header'>, policy: PolicySpec | undefined): PolicySpec {
  const base = policy ?? defaultPolicySpec(r.header.service);
  return { ...base, interval: r.header.intervalSeconds * 1000, latencyBoundsMs: r.header.latencyBoundsMs };
}

function printJson(io: CliIO, file: string, { outcome }: ReplayResult): void {
  const line: Record<string, unknown> = { file, decision: outcome.decision, at: outcome.at, reasons: outcome.reasons };
  if (outcome.rule) line.rule = outcome.rule;
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
      `  ${String(e.t).padStart(6)}  ${`${e.weight}%`.padStart(6)}  ${a.score.toFixed(2).padStart(5)}  ${a.verdict.padEnd(12)}  ${shown[0] ?? ''}`,
    );
    for (const more of shown.slice(1)) println(io.stdout, `  ${' '.repeat(37)}  ${more}`);
  }
  println(
    io.stdout,
    `  → ${outcome.decision.toUpperCase()} at t=${outcome.at}s${outcome.rule ? ` (${outcome.rule})` : ''}`,
  );
  println(io.stdout);
}
