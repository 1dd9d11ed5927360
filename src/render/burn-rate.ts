import { formatDuration } from '../schema/duration.js';

/**
 * Multiwindow, multi-burn-rate alert windows (SRE Workbook ch. 5, table 5-8; Sloth's google-30d windows).
 * The windows and the share of the budget each may consume are fixed; the burn-rate factor follows from the
 * policy's period: factor = consumed × period / long window (2% × 720h / 1h = 14.4 for 30 days).
 */
export type Severity = 'page' | 'ticket';

export interface BurnWindow {
  severity: Severity;
  longMs: number;
  shortMs: number;
  /** Share of the period's error budget spent when the long window burns at `factor`. */
  consumed: number;
}

const H = 3_600_000;
const M = 60_000;

export const WORKBOOK_WINDOWS: readonly BurnWindow[] = [
  { severity: 'page', longMs: H, shortMs: 5 * M, consumed: 0.02 },
  { severity: 'page', longMs: 6 * H, shortMs: 30 * M, consumed: 0.05 },
  { severity: 'ticket', longMs: 24 * H, shortMs: 2 * H, consumed: 0.1 },
  { severity: 'ticket', longMs: 72 * H, shortMs: 6 * H, consumed: 0.1 },
];

export interface ScaledWindow extends BurnWindow {
  long: string;
  short: string;
  /** Burn-rate factor: alert when the error ratio exceeds factor × (1 − SLO) in both windows. */
  factor: number;
}

/** Rounds away floating-point dust so rules read 14.4, not 14.399999999999999. */
export function tidy(x: number): number {
  return Number(x.toPrecision(10));
}

/** 1 − SLO, e.g. 0.999 → 0.001. */
export function errorBudgetRatio(slo: number): number {
  return tidy(1 - slo);
}

/** Burn-rate factor for a window that may consume `consumed` of the budget of a `periodMs` SLO period. */
export function burnRateFactor(consumed: number, longMs: number, periodMs: number): number {
  return tidy((consumed * periodMs) / longMs);
}

/** Budget consumed by burning at `burnRate` for `windowMs` of a `periodMs` period (14.4 × 1h / 30d = 2%). */
export function budgetConsumed(burnRate: number, windowMs: number, periodMs: number): number {
  return tidy((burnRate * windowMs) / periodMs);
}

/**
 * The workbook windows scaled to the policy's period. Windows longer than the period are dropped: a 3-day
 * window says nothing about a 1-day SLO.
 */
export function scaledWindows(periodMs: number): ScaledWindow[] {
  return WORKBOOK_WINDOWS.filter((w) => w.longMs <= periodMs).map((w) => ({
    ...w,
    long: formatDuration(w.longMs),
    short: formatDuration(w.shortMs),
    factor: burnRateFactor(w.consumed, w.longMs, periodMs),
  }));
}

/** Every distinct window the recording rules must provide, shortest first. */
export function recordedWindows(periodMs: number): string[] {
  const ms = new Set<number>();
  for (const w of scaledWindows(periodMs)) ms.add(w.longMs).add(w.shortMs);
  return [...ms].sort((a, b) => a - b).map(formatDuration);
}
