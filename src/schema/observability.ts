import { z } from 'zod';

/**
 * Policy sections for observability as code (`spec.alerting`, `spec.grafana`): who gets canary alerts, the
 * planned maintenance window (rendered as an Alertmanager time interval and used by the silence check), and
 * where decisions are annotated. Every field has a default so existing policies stay valid.
 */
const WEEKDAY = '(sunday|monday|tuesday|wednesday|thursday|friday|saturday)';
const MONTH = '(january|february|march|april|may|june|july|august|september|october|november|december|[1-9]|1[0-2])';
const CLOCK = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

const range = (item: string, example: string) =>
  z.string().regex(new RegExp(`^${item}(:${item})?$`, 'i'), `expected a value or a range like ${example}`);

/** One `times` entry of an Alertmanager time interval: [start, end) in the window's location. */
const clockRange = z
  .object({
    start: z.string().regex(CLOCK, 'HH:MM, 00:00 to 24:00'),
    end: z.string().regex(CLOCK, 'HH:MM, 00:00 to 24:00'),
  })
  .strict();

/** Mirrors Alertmanager 0.25 `time_intervals[].time_intervals[]`; an omitted field matches every value. */
export const maintenanceWindow = z
  .object({
    /** Name of the Alertmanager time interval (default `<service>-maintenance`). */
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .optional(),
    times: z.array(clockRange).optional(),
    weekdays: z.array(range(WEEKDAY, 'monday:friday')).optional(),
    daysOfMonth: z.array(range('-?([1-9]|[12]\\d|3[01])', '1:7 or -1')).optional(),
    months: z.array(range(MONTH, 'january:march')).optional(),
    years: z.array(range('\\d{4}', '2025:2026')).optional(),
    /** IANA time zone the window is written in. */
    location: z.string().default('UTC'),
  })
  .strict();

export const alertingPolicy = z
  .object({
    /** Alertmanager base URL for the silence check and the rollback alert (e.g. http://alertmanager:9093). */
    alertmanagerUrl: z.string().url().optional(),
    /** Webhook URLs of the two receivers in alertmanager/canary-routes.yaml. The defaults are placeholders. */
    receivers: z
      .object({
        releaseCaptain: z.string().url().default('http://127.0.0.1:8080/hooks/release-captain'),
        sreOncall: z.string().url().default('http://127.0.0.1:8080/hooks/sre-oncall'),
      })
      .strict()
      .prefault({}),
    /** The planned maintenance window; silences outside it are reported by the silence check. */
    maintenanceWindow: maintenanceWindow.optional(),
    /** What an active silence outside the planned window does to the rollout: hold the start, or warn only. */
    silenceCheck: z.enum(['hold', 'warn']).default('hold'),
  })
  .strict();

export const grafanaPolicy = z
  .object({
    /** Grafana base URL for decision annotations; no URL, no annotations. */
    url: z.string().url().optional(),
    /** UID of the rendered dashboard (default `<service>-canary`, at most 40 characters). */
    dashboardUid: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/)
      .optional(),
    /** Environment variable holding the Grafana service-account token (never written in the policy). */
    tokenEnv: z.string().default('GRAFANA_TOKEN'),
  })
  .strict();

export type MaintenanceWindow = z.infer<typeof maintenanceWindow>;
export type AlertingPolicy = z.infer<typeof alertingPolicy>;
export type GrafanaPolicy = z.infer<typeof grafanaPolicy>;
