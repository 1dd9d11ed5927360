import type { z } from 'zod';
import { ConfigError, type Diagnostic } from '../errors.js';
import { INPUT_LIMITS } from '../schema/input-limits.js';
import { describeValue, formatPath } from '../schema/load-document.js';
import type { IntervalObservation } from '../schema/observation.js';
import { replayHeader, replayLine, type ReplayHeader } from '../schema/replay.js';
import { readTextFile } from '../read-input.js';

/**
 * A recorded rollout (docs/interfaces.md, "Replay format"): JSON Lines, a header line then one interval per line.
 * Every problem is reported as file:line:column, all of them at once.
 */
export interface ReplayFile {
  file: string;
  header: ReplayHeader;
  intervals: IntervalObservation[];
}

export function readReplayFile(file: string): ReplayFile {
  return parseReplayText(readTextFile(file, INPUT_LIMITS.replay), file);
}

export function parseReplayText(text: string, file: string): ReplayFile {
  const diagnostics: Diagnostic[] = [];
  const at = (line: number, message: string, column = 1): void => {
    diagnostics.push({ file, line, column, severity: 'error', message });
  };
  let header: ReplayHeader | undefined;
  let sawHeader = false;
  const intervals: IntervalObservation[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const json = parseJson(raw);
    if ('error' in json) {
      at(i + 1, `invalid JSON: ${json.error}`, json.column);
      sawHeader = true;
      continue;
    }
    if (!sawHeader) {
      sawHeader = true;
      const h = replayHeader.safeParse(json.value, { reportInput: true });
      if (h.success) header = h.data;
      else for (const issue of h.error.issues) at(i + 1, `header: ${describe(issue)}`);
      continue;
    }
    const o = replayLine.safeParse(json.value, { reportInput: true });
    if (!o.success) {
      for (const issue of o.error.issues) at(i + 1, describe(issue));
      continue;
    }
    checkInterval(o.data, header, intervals[intervals.length - 1], (m) => at(i + 1, m));
    intervals.push(o.data);
  }
  if (header === undefined && diagnostics.length === 0)
    at(1, 'empty replay file: expected a {"kind":"replay","version":1,...} header line');
  if (diagnostics.length > 0 || header === undefined) throw new ConfigError(diagnostics);
  return { file, header, intervals };
}

function checkInterval(
  o: IntervalObservation,
  header: ReplayHeader | undefined,
  prev: IntervalObservation | undefined,
  report: (m: string) => void,
): void {
  if (prev && o.t <= prev.t) report(`t must increase: ${o.t} after ${prev.t}`);
  if (!header) return;
  const buckets = header.latencyBoundsMs.length + 1;
  for (const v of ['baseline', 'canary', 'control'] as const) {
    const latency = o[v]?.latency;
    if (latency && latency.length !== buckets)
      report(`${v}.latency: expected ${buckets} bucket counts (bounds + the +Inf bucket), got ${latency.length}`);
    const syn = o[v]?.synthetic;
    if (syn && syn.passed > syn.runs) report(`${v}.synthetic: passed (${syn.passed}) > runs (${syn.runs})`);
    const r = o[v];
    if (r?.errors != null && r.requests != null && r.errors > r.requests)
      report(`${v}: errors (${r.errors}) > requests (${r.requests})`);
  }
}

function parseJson(raw: string): { value: unknown } | { error: string; column: number } {
  try {
    return { value: JSON.parse(raw) as unknown };
  } catch (err) {
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message);
    return { error: message.replace(/^JSON\.parse: /, ''), column: pos ? Number(pos[1]) + 1 : 1 };
  }
}

function describe(issue: z.core.$ZodIssue): string {
  const path = formatPath(issue.path);
  const where = path ? `${path}: ` : '';
  if (issue.code === 'invalid_type' && issue.input === undefined)
    return `${where}required field is missing (expected ${issue.expected})`;
  if (issue.code === 'invalid_type') return `${where}expected ${issue.expected}, got ${describeValue(issue.input)}`;
  if (issue.code === 'unrecognized_keys')
    return `${where}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.input !== undefined) return `${where}${issue.message}, got ${describeValue(issue.input)}`;
  return `${where}${issue.message}`;
}
