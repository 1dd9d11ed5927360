import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

/** The longest delay setTimeout/setInterval honour (2^31-1 ms, 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** "30s", "5m", "7d", "250ms" → milliseconds; undefined when malformed. Plain numbers are seconds. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const m = DURATION_RE.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return Number.isFinite(ms) ? ms : undefined;
}

/** Milliseconds → the shortest exact duration string ("90s" stays "90s", 60000 → "1m"). */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/** Bounds of one duration field, in milliseconds; `why` says what the limit protects (shown when exceeded). */
export interface DurationBounds {
  min: number;
  max: number;
  why?: string;
}

/**
 * A zod field accepting "30s"/"5m"/number-of-seconds, output in milliseconds, within `bounds`. Every duration
 * of every format goes through here, so none can be 0 where that would busy-loop, or longer than a timer
 * can wait (MAX_TIMER_MS) where it is waited for. The bounds of each field are listed in docs/security.md.
 */
export function durationWithin(bounds: DurationBounds): z.ZodType<number, string | number> {
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `not a duration: ${JSON.stringify(v)} (use e.g. 500ms, 30s, 5m, 7d)` });
      return z.NEVER;
    }
    if (ms < bounds.min || ms > bounds.max) {
      const side = ms < bounds.min ? `at least ${formatDuration(bounds.min)}` : `at most ${formatDuration(bounds.max)}`;
      ctx.addIssue({
        code: 'custom',
        message: `must be ${side}, got ${JSON.stringify(v)}${bounds.why ? ` (${bounds.why})` : ''}`,
      });
      return z.NEVER;
    }
    return ms;
  });
}

/** Something waited for with a timer: above zero (0 would spin) and at most 24 days (below MAX_TIMER_MS). */
export const TIMER_MAX_MS = 24 * UNIT_MS.d;
export const TIMER_WHY = 'a timer cannot wait longer than 24.8 days';

/** A duration with only the sanity bounds: not negative, at most a year. Prefer `durationWithin`. */
export const durationMs = durationWithin({ min: 0, max: 366 * UNIT_MS.d });
