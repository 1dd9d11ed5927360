import { describe, expect, it } from 'vitest';
import { maintenanceWindow } from '../schema/observability.js';
import { inMaintenanceWindow, spanInMaintenanceWindow } from './maintenance-window.js';

const tuesdayNight = maintenanceWindow.parse({
  weekdays: ['tuesday'],
  times: [{ start: '22:00', end: '23:30' }],
  location: 'Europe/Berlin',
});
const at = (iso: string) => new Date(iso);

describe('maintenance window (Alertmanager time_intervals semantics)', () => {
  it('evaluates times in the window location, end exclusive', () => {
    // 2025-06-03 is a Tuesday; Berlin is UTC+2 in summer.
    expect(inMaintenanceWindow(tuesdayNight, at('2025-06-03T20:00:00Z'))).toBe(true);
    expect(inMaintenanceWindow(tuesdayNight, at('2025-06-03T21:29:59Z'))).toBe(true);
    expect(inMaintenanceWindow(tuesdayNight, at('2025-06-03T21:30:00Z'))).toBe(false);
    expect(inMaintenanceWindow(tuesdayNight, at('2025-06-03T19:59:00Z'))).toBe(false);
    expect(inMaintenanceWindow(tuesdayNight, at('2025-06-04T20:00:00Z'))).toBe(false);
  });

  it('supports ranges, month names and negative days of the month', () => {
    const w = maintenanceWindow.parse({
      weekdays: ['monday:friday'],
      daysOfMonth: ['-3:-1'],
      months: ['january:march', '12'],
      years: ['2025'],
    });
    expect(inMaintenanceWindow(w, at('2025-01-30T12:00:00Z'))).toBe(true); // Thursday, 3rd-last day of January
    expect(inMaintenanceWindow(w, at('2025-01-28T12:00:00Z'))).toBe(false); // 4th-last day
    expect(inMaintenanceWindow(w, at('2025-02-28T12:00:00Z'))).toBe(true); // Friday, last day of a 28-day month
    expect(inMaintenanceWindow(w, at('2025-05-30T12:00:00Z'))).toBe(false); // May
    expect(inMaintenanceWindow(w, at('2025-12-31T12:00:00Z'))).toBe(true); // month given as a number
    expect(inMaintenanceWindow(w, at('2026-01-30T12:00:00Z'))).toBe(false); // year
  });

  it('accepts a span only when every minute of it lies inside', () => {
    expect(spanInMaintenanceWindow(tuesdayNight, at('2025-06-03T20:00:00Z'), at('2025-06-03T21:30:00Z'))).toBe(true);
    expect(spanInMaintenanceWindow(tuesdayNight, at('2025-06-03T20:00:00Z'), at('2025-06-03T21:31:00Z'))).toBe(false);
    expect(spanInMaintenanceWindow(tuesdayNight, at('2025-06-03T20:00:00Z'), at('2025-06-10T21:00:00Z'))).toBe(false);
  });

  it('rejects spans longer than the cap even when the window is always open', () => {
    const always = maintenanceWindow.parse({});
    expect(spanInMaintenanceWindow(always, at('2025-01-01T00:00:00Z'), at('2025-01-20T00:00:00Z'))).toBe(true);
    expect(spanInMaintenanceWindow(always, at('2025-01-01T00:00:00Z'), at('2025-03-01T00:00:00Z'))).toBe(false);
  });
});
