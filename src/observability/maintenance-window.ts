import type { MaintenanceWindow } from '../schema/observability.js';

/**
 * Alertmanager 0.25 time-interval semantics for the policy's planned maintenance window: every given field
 * must match; `times` are [start, end) in the window's location; ranges are inclusive; negative days of the
 * month count from its end (-1 = the last day).
 */
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

interface LocalTime {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minute: number;
  daysInMonth: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localTime(at: Date, zone: string): LocalTime {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'long',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  const year = Number(parts.year);
  const month = Number(parts.month);
  return {
    year,
    month,
    day: Number(parts.day),
    weekday: WEEKDAYS.indexOf(String(parts.weekday).toLowerCase()),
    minute: Number(parts.hour) * 60 + Number(parts.minute),
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}

function inRanges(specs: readonly string[] | undefined, value: number, parse: (s: string) => number): boolean {
  if (!specs || specs.length === 0) return true;
  return specs.some((spec) => {
    const [a, b = a] = spec.split(':') as [string, string?];
    return value >= parse(a) && value <= parse(b);
  });
}

const clock = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Is this instant inside the window? */
export function inMaintenanceWindow(w: MaintenanceWindow, at: Date): boolean {
  const t = localTime(at, w.location);
  const day = (s: string) => {
    const n = Number(s);
    return n < 0 ? t.daysInMonth + n + 1 : n;
  };
  const month = (s: string) => (/^\d+$/.test(s) ? Number(s) : MONTHS.indexOf(s.toLowerCase()) + 1);
  return (
    (!w.times || w.times.length === 0 || w.times.some((r) => t.minute >= clock(r.start) && t.minute < clock(r.end))) &&
    inRanges(w.weekdays, t.weekday, (s) => WEEKDAYS.indexOf(s.toLowerCase())) &&
    inRanges(w.daysOfMonth, t.day, day) &&
    inRanges(w.months, t.month, month) &&
    inRanges(w.years, t.year, Number)
  );
}

/** Spans longer than this are never "inside" a planned window (and would take long to walk minute by minute). */
export const MAX_PLANNED_SPAN_MS = 31 * 86_400_000;

/**
 * Does [start, end) lie inside the window, every minute of it? The walk stops at the first minute outside,
 * so a silence that does not fit is rejected quickly.
 */
export function spanInMaintenanceWindow(w: MaintenanceWindow, start: Date, end: Date): boolean {
  if (end.getTime() - start.getTime() > MAX_PLANNED_SPAN_MS) return false;
  for (let t = start.getTime(); t < end.getTime(); t += 60_000) {
    if (!inMaintenanceWindow(w, new Date(t))) return false;
  }
  // The last instant before end, in case the span is not a whole number of minutes.
  return end.getTime() <= start.getTime() || inMaintenanceWindow(w, new Date(end.getTime() - 1));
}
