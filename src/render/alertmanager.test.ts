import { describe, expect, it } from 'vitest';
import { policySpec } from '../schema/policy.js';
import { alertmanagerConfig, timeInterval } from './alertmanager.js';

describe('alertmanager config', () => {
  it('maps the policy window onto an Alertmanager time interval', () => {
    const spec = policySpec.parse({
      service: 'maestro-api',
      alerting: {
        maintenanceWindow: {
          weekdays: ['monday:friday'],
          times: [{ start: '22:00', end: '24:00' }],
          daysOfMonth: ['-1'],
          location: 'Europe/Berlin',
        },
      },
    });
    expect(timeInterval(spec.alerting.maintenanceWindow!)).toEqual({
      times: [{ start_time: '22:00', end_time: '24:00' }],
      weekdays: ['monday:friday'],
      days_of_month: ['-1'],
      location: 'Europe/Berlin',
    });
    const cfg = alertmanagerConfig(spec) as { time_intervals: { name: string }[] };
    expect(cfg.time_intervals.map((t) => t.name)).toEqual(['maestro-api-maintenance']);
    expect(JSON.stringify(cfg)).toContain('"mute_time_intervals":["maestro-api-maintenance"]');
  });

  it('has no time interval and mutes nothing without a planned window', () => {
    const cfg = alertmanagerConfig(policySpec.parse({ service: 'maestro-api' }));
    expect(cfg).not.toHaveProperty('time_intervals');
    expect(JSON.stringify(cfg)).not.toContain('mute_time_intervals');
  });
});
