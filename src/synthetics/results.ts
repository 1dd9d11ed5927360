/**
 * Results of synthetic probes. Every string in a result has already passed the redactor: secrets from the
 * environment and extracted values marked `secret` never reach a reporter, the history or `/metrics`.
 */
export type ProbeStatus = 'passed' | 'degraded' | 'failed';
export type StepStatus = ProbeStatus | 'skipped';

/** blackbox_exporter's phases, in milliseconds, summed over redirects. */
export interface PhaseTimings {
  /** DNS lookup (0 for IP literals). */
  resolve: number;
  /** DNS done → TCP connected. */
  connect: number;
  /** TLS handshake (0 for plain HTTP). */
  tls: number;
  /** Connection ready → first response byte. */
  processing: number;
  /** First byte → end of body. */
  transfer: number;
}

export type NetworkErrorKind =
  'dns' | 'connection_refused' | 'connection_reset' | 'timeout' | 'tls' | 'too_many_redirects' | 'aborted' | 'other';

export interface AssertionResult {
  kind: 'status' | 'latencyMs' | 'jsonpath' | 'header' | 'body' | 'tls';
  /** What was checked, e.g. `$.item equals "book"`. */
  description: string;
  passed: boolean;
  /** Passed, but slower than `degradedAbove`. */
  degraded: boolean;
  expected: string;
  actual: string;
}

export interface StepResult {
  name: string;
  status: StepStatus;
  method: string;
  url: string;
  /** HTTP status of the final response; 0 when there was none. */
  httpStatus: number;
  httpVersion?: string;
  redirects: number;
  bodyBytes: number;
  bodyTruncated: boolean;
  timings: PhaseTimings;
  durationMs: number;
  assertions: AssertionResult[];
  /** Why the step failed without a response, or why it could not start. */
  error?: { kind: NetworkErrorKind | 'config' | 'extraction' | 'body_too_large'; message: string };
  tls?: { authorized: boolean; validTo: string; daysValid: number; protocol?: string };
}

export interface AttemptResult {
  /** 1 for the first attempt; higher numbers are retries. */
  attempt: number;
  status: ProbeStatus;
  startedAt: number;
  durationMs: number;
  steps: StepResult[];
}

/** One run of one flow against one target: the final result after retries, with every attempt kept. */
export interface FlowResult {
  suite: string;
  flow: string;
  tags: string[];
  baseUrl: string;
  /** Final status after retries; `degraded` counts as a success. */
  status: ProbeStatus;
  success: boolean;
  /** Status of the first attempt, so retries never hide a flaky target. */
  firstAttemptStatus: ProbeStatus;
  /** Number of retried attempts (attempts.length - 1). */
  retries: number;
  /** Epoch milliseconds when the first attempt started. */
  startedAt: number;
  durationMs: number;
  intervalMs: number;
  attempts: AttemptResult[];
  /** Steps of the final attempt. */
  steps: StepResult[];
}

export interface SuiteResult {
  suite: string;
  baseUrl: string;
  flows: FlowResult[];
  passed: number;
  degraded: number;
  failed: number;
  success: boolean;
}
