/**
 * Uptime and reachability as Grafana Synthetic Monitoring defines them: uptime is the share of time points
 * (one per flow interval, aligned to the epoch) with at least one successful run; reachability is successful
 * runs / all runs. Intervals with no run at all are not counted as down (the prober was not running), but
 * are reported as `pointsWithoutData` so a gap is visible. Pure: callers pass rows and the window.
 */
export interface RunRow {
  flow: string;
  startedAt: number;
  success: boolean;
  intervalMs: number;
}

export interface UptimeFigures {
  runs: number;
  successes: number;
  /** successes / runs; null without runs. */
  reachability: number | null;
  points: number;
  upPoints: number;
  /** upPoints / points; null without runs. */
  uptime: number | null;
  /** Interval points inside the window that have no run. */
  pointsWithoutData: number;
}

export interface UptimeReport extends UptimeFigures {
  from: number;
  to: number;
  windowMs: number;
  flows: (UptimeFigures & { flow: string; intervalMs: number })[];
}

export function computeUptime(rows: readonly RunRow[], window: { windowMs: number; now: number }): UptimeReport {
  const from = window.now - window.windowMs;
  const byFlow = new Map<string, RunRow[]>();
  for (const r of rows) {
    if (r.startedAt < from || r.startedAt > window.now) continue;
    const list = byFlow.get(r.flow) ?? [];
    list.push(r);
    byFlow.set(r.flow, list);
  }
  const flows = [...byFlow.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([flow, list]) => {
      const intervalMs = list[list.length - 1]?.intervalMs ?? 1;
      return { flow, intervalMs, ...figures(list, intervalMs, window.windowMs) };
    });
  const sum = (k: 'runs' | 'successes' | 'points' | 'upPoints' | 'pointsWithoutData'): number =>
    flows.reduce((n, f) => n + f[k], 0);
  const runs = sum('runs');
  const points = sum('points');
  return {
    from,
    to: window.now,
    windowMs: window.windowMs,
    runs,
    successes: sum('successes'),
    reachability: runs ? sum('successes') / runs : null,
    points,
    upPoints: sum('upPoints'),
    uptime: points ? sum('upPoints') / points : null,
    pointsWithoutData: sum('pointsWithoutData'),
    flows,
  };
}

function figures(rows: RunRow[], intervalMs: number, windowMs: number): UptimeFigures {
  const points = new Map<number, boolean>();
  let successes = 0;
  for (const r of rows) {
    const point = Math.floor(r.startedAt / intervalMs);
    points.set(point, (points.get(point) ?? false) || r.success);
    if (r.success) successes++;
  }
  const upPoints = [...points.values()].filter(Boolean).length;
  // Only points after the first run count as gaps: a suite added yesterday has no 7-day gap.
  const first = Math.min(...rows.map((r) => r.startedAt));
  const last = Math.max(...rows.map((r) => r.startedAt));
  const expected = Math.min(
    Math.floor(last / intervalMs) - Math.floor(first / intervalMs) + 1,
    Math.ceil(windowMs / intervalMs),
  );
  return {
    runs: rows.length,
    successes,
    reachability: rows.length ? successes / rows.length : null,
    points: points.size,
    upPoints,
    uptime: points.size ? upPoints / points.size : null,
    pointsWithoutData: Math.max(0, expected - points.size),
  };
}
