import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import {
  PROBE_ATTEMPTS_TOTAL,
  PROBE_DURATION,
  PROBE_HTTP_PHASE_DURATION,
  PROBE_HTTP_REDIRECTS,
  PROBE_HTTP_STATUS,
  PROBE_RETRIES,
  PROBE_RUNS_TOTAL,
  PROBE_SSL_EARLIEST_CERT_EXPIRY,
  PROBE_SUCCESS,
  SUITE_INFO,
} from '../metric-names.js';
import type { FlowResult } from './results.js';

const PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;

/**
 * blackbox_exporter's metric names with `flow` and `step` labels (docs/synthetics.md). Labels never
 * carry interpolated URLs: an order id in a path would make a new series per probe.
 */
export class ProbeGauges {
  private readonly success: Gauge<'flow'>;
  private readonly duration: Gauge<'flow'>;
  private readonly status: Gauge<'flow' | 'step' | 'method'>;
  private readonly phases: Gauge<'flow' | 'step' | 'phase'>;
  private readonly redirects: Gauge<'flow' | 'step'>;
  private readonly certExpiry: Gauge<'flow' | 'step'>;
  private readonly retries: Gauge<'flow'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.success = new Gauge({
      name: PROBE_SUCCESS,
      help: 'Displays whether or not the probe was a success (final result after retries)',
      labelNames: ['flow'],
      registers,
    });
    this.duration = new Gauge({
      name: PROBE_DURATION,
      help: 'Returns how long the probe took to complete in seconds',
      labelNames: ['flow'],
      registers,
    });
    this.status = new Gauge({
      name: PROBE_HTTP_STATUS,
      help: 'Response HTTP status code (0 when there was no response)',
      labelNames: ['flow', 'step', 'method'],
      registers,
    });
    this.phases = new Gauge({
      name: PROBE_HTTP_PHASE_DURATION,
      help: 'Duration of http request by phase, summed over all redirects',
      labelNames: ['flow', 'step', 'phase'],
      registers,
    });
    this.redirects = new Gauge({
      name: PROBE_HTTP_REDIRECTS,
      help: 'The number of redirects',
      labelNames: ['flow', 'step'],
      registers,
    });
    this.certExpiry = new Gauge({
      name: PROBE_SSL_EARLIEST_CERT_EXPIRY,
      help: 'Returns last SSL chain expiry in unixtime',
      labelNames: ['flow', 'step'],
      registers,
    });
    this.retries = new Gauge({
      name: PROBE_RETRIES,
      help: 'Retried attempts in the last run of the flow (first attempts are not counted)',
      labelNames: ['flow'],
      registers,
    });
  }

  set(result: FlowResult): void {
    const flow = result.flow;
    this.success.set({ flow }, result.success ? 1 : 0);
    this.duration.set({ flow }, result.durationMs / 1000);
    this.retries.set({ flow }, result.retries);
    for (const step of result.steps) {
      this.status.set({ flow, step: step.name, method: step.method }, step.httpStatus);
      this.redirects.set({ flow, step: step.name }, step.redirects);
      for (const phase of PHASES) this.phases.set({ flow, step: step.name, phase }, step.timings[phase] / 1000);
      if (step.tls?.validTo) this.certExpiry.set({ flow, step: step.name }, Date.parse(step.tls.validTo) / 1000);
    }
  }
}

/** The daemon's `/metrics`: last result per flow, run and attempt counters, the suite info, process metrics. */
export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly gauges = new ProbeGauges(this.registry);
  private readonly runs: Counter<'flow' | 'result'>;
  private readonly attempts: Counter<'flow' | 'attempt' | 'result'>;

  constructor(suite: string, sha256: string) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: SUITE_INFO,
      help: 'The suite this daemon runs; sha256 of the suite file as read at start',
      labelNames: ['suite', 'sha256'],
      registers,
    }).set({ suite, sha256 }, 1);
    this.runs = new Counter({
      name: PROBE_RUNS_TOTAL,
      help: 'Flow runs by final result (after retries)',
      labelNames: ['flow', 'result'],
      registers,
    });
    this.attempts = new Counter({
      name: PROBE_ATTEMPTS_TOTAL,
      help: 'Attempts, first ones apart from retries',
      labelNames: ['flow', 'attempt', 'result'],
      registers,
    });
  }

  observe(result: FlowResult): void {
    this.gauges.set(result);
    this.runs.inc({ flow: result.flow, result: result.status });
    for (const a of result.attempts)
      this.attempts.inc({ flow: result.flow, attempt: a.attempt === 1 ? 'first' : 'retry', result: a.status });
  }
}

/** One `/probe` answer: a fresh registry per request, as blackbox_exporter does. */
export async function probeExposition(result: FlowResult): Promise<{ text: string; contentType: string }> {
  const registry = new Registry();
  new ProbeGauges(registry).set(result);
  return { text: await registry.metrics(), contentType: registry.contentType };
}
