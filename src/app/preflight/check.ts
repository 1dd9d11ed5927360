import type { CanaryPolicy } from '../../schema/policy.js';

/** One Definition-of-Ready item. `unknown` = could not be evaluated (and fails the run unless allowed). */
export interface CheckResult {
  name: string;
  status: 'pass' | 'fail' | 'unknown';
  reason: string;
  /** The numbers behind the status, for --json and the checklist. */
  details?: Record<string, unknown>;
  /** Set when `--allow-unknown NAME` let an unknown check through. */
  allowed?: boolean;
}

export interface PreflightContext {
  policy: CanaryPolicy;
  policyFile: string;
  policyDir: string;
  prometheusUrl?: string | undefined;
  syntheticsDb?: string | undefined;
  syntheticsUrl?: string | undefined;
  /** The local controller's state database (absolute): the embedded request history when no Prometheus is given. */
  stateFile?: string | undefined;
  /** Injected clock (uptime windows); defaults to Date.now at the edge. */
  now: number;
  fetch: typeof fetch;
}

export type Check = (ctx: PreflightContext) => CheckResult | Promise<CheckResult>;

export const CHECK_NAMES = [
  'promotion-criteria',
  'error-budget',
  'synthetic-suite',
  'synthetic-suite-signature',
  'synthetic-suite-sync',
  'signature',
  'admission-policy',
] as const;
