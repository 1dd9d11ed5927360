import { setTimeout as sleepFor } from 'node:timers/promises';
import type { DeliveryAttempt, WebhookDelivery, WebhookEvent, WebhookPayload } from '../../schema/evidence.js';
import { makeRedactor } from '../../redaction/redact.js';
import { DEFAULT_BACKOFF, isRetryable, parseRetryAfter, retryDelayMs, type BackoffPolicy } from './backoff.js';
import { completePayload, type WebhookMessage } from './payload.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signBody } from './signature.js';

export interface WebhookSenderOptions {
  url: string;
  /** HMAC-SHA256 key. Without one the body goes unsigned (and the receiver should refuse it). */
  secret?: string;
  /** Only these events are sent (default: all). */
  events?: WebhookEvent[];
  /** Per attempt (default 5 s). */
  timeoutMs?: number;
  /** Attempts in total, the first included (default 6). */
  maxAttempts?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Called once per delivery with its final outcome — wire it to EvidenceLog.recordDelivery. */
  onDelivery?: (delivery: WebhookDelivery) => void;
  /** Called when onDelivery throws (e.g. the evidence disk is full); deliveries carry on. */
  onError?: (err: unknown) => void;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
  fetch?: typeof fetch;
}

export interface DrainResult {
  delivered: number;
  failed: number;
  abandoned: number;
}

/**
 * Fire-and-forget webhook delivery. `send()` returns the delivery id at once; attempts, backoff and retries
 * run in the background, so a receiver that is down or slow never delays a rollback. `drain()` at shutdown
 * waits a bounded time and records whatever is still retrying as abandoned.
 */
export class WebhookSender {
  private readonly inflight = new Set<Promise<void>>();
  private readonly stop = new AbortController();
  private readonly counts: DrainResult = { delivered: 0, failed: 0, abandoned: 0 };
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly doFetch: typeof fetch;
  private readonly backoff: BackoffPolicy;
  /** The receiver URL with secrets and query strings redacted, as recorded. */
  readonly safeUrl: string;

  constructor(private readonly options: WebhookSenderOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }));
    this.random = options.random ?? Math.random;
    this.doFetch = options.fetch ?? fetch;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.safeUrl = makeRedactor({ secrets: options.secret ? [options.secret] : [] })(options.url);
  }

  /** Deliveries not finished yet. */
  get pending(): number {
    return this.inflight.size;
  }

  /** Queues one event; returns its delivery id (undefined when this receiver does not want the event). */
  send(message: WebhookMessage): string | undefined {
    return this.queue(message)?.id;
  }

  /**
   * Queues one event like `send`, and also says when it settled: `done` resolves with the outcome (never
   * rejects), so an outbox can keep the event pending until it was delivered or given up on.
   */
  queue(message: WebhookMessage): { id: string; done: Promise<WebhookDelivery['outcome']> } | undefined {
    if (this.options.events && !this.options.events.includes(message.event)) return undefined;
    const payload = completePayload(message, this.now);
    // Start on the next macrotask: even fetch's lazy first-use setup must not run inside the caller's turn.
    const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.deliver(payload));
    const task: Promise<void> = done.then(
      () => undefined,
      () => undefined,
    );
    void task.finally(() => this.inflight.delete(task));
    this.inflight.add(task);
    return { id: payload.deliveryId, done: done.catch((): WebhookDelivery['outcome'] => 'abandoned') };
  }

  /** Waits up to `timeoutMs` for deliveries in flight, then abandons (and records) the rest. */
  async drain(timeoutMs: number): Promise<DrainResult> {
    const all = Promise.allSettled([...this.inflight]);
    const timer = new AbortController();
    const timedOut = sleepFor(timeoutMs, 'timeout', { signal: timer.signal }).catch(() => 'done');
    if ((await Promise.race([all.then(() => 'done'), timedOut])) === 'timeout') this.stop.abort();
    timer.abort();
    await Promise.allSettled([...this.inflight]);
    return { ...this.counts };
  }

  private async deliver(payload: WebhookPayload): Promise<WebhookDelivery['outcome']> {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'adaptive-canary-webhook/1',
      [DELIVERY_HEADER]: payload.deliveryId,
      [EVENT_HEADER]: payload.event,
      ...(this.options.secret ? { [SIGNATURE_HEADER]: signBody(this.options.secret, body) } : {}),
    };
    const started = this.now();
    const attempts: DeliveryAttempt[] = [];
    const maxAttempts = this.options.maxAttempts ?? 6;
    let outcome: WebhookDelivery['outcome'] = 'failed';
    for (let n = 1; n <= maxAttempts && !this.stop.signal.aborted; n++) {
      const result = await this.attempt(n, body, headers);
      attempts.push(result.attempt);
      if (result.abandoned) break;
      if (result.attempt.status !== undefined && result.attempt.status < 300) {
        outcome = 'delivered';
        break;
      }
      if (!isRetryable(result.attempt.status) || n === maxAttempts) break;
      const delay = retryDelayMs(n, result.retryAfterMs, this.backoff, this.random);
      try {
        await this.sleep(delay, this.stop.signal);
      } catch {
        break; // drain gave up on us
      }
    }
    if (outcome !== 'delivered' && this.stop.signal.aborted) outcome = 'abandoned';
    this.report(payload, outcome, attempts, started);
    return outcome;
  }

  private async attempt(
    n: number,
    body: string,
    headers: Record<string, string>,
  ): Promise<{ attempt: DeliveryAttempt; retryAfterMs?: number; abandoned?: boolean }> {
    const startedAt = this.now();
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 5_000);
    const base = { attempt: n, startedAt: new Date(startedAt).toISOString() };
    try {
      const res = await this.doFetch(this.options.url, {
        method: 'POST',
        body,
        headers,
        signal: AbortSignal.any([timeout, this.stop.signal]),
        redirect: 'error',
      });
      await res.body?.cancel().catch(() => undefined);
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.now());
      return {
        attempt: { ...base, durationMs: this.now() - startedAt, status: res.status },
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    } catch (err) {
      const error = timeout.aborted
        ? 'timeout'
        : this.stop.signal.aborted
          ? 'abandoned at shutdown'
          : networkError(err);
      return {
        attempt: { ...base, durationMs: this.now() - startedAt, error },
        abandoned: !timeout.aborted && this.stop.signal.aborted,
      };
    }
  }

  private report(
    payload: WebhookPayload,
    outcome: WebhookDelivery['outcome'],
    attempts: DeliveryAttempt[],
    started: number,
  ): void {
    this.counts[outcome]++;
    const delivery: WebhookDelivery = {
      v: 1,
      deliveryId: payload.deliveryId,
      event: payload.event,
      url: this.safeUrl,
      outcome,
      status: attempts.at(-1)?.status ?? null,
      attempts,
      firstAttemptAt: new Date(started).toISOString(),
      finishedAt: new Date(this.now()).toISOString(),
      totalMs: Math.max(0, this.now() - started),
    };
    try {
      this.options.onDelivery?.(delivery);
    } catch (err) {
      this.options.onError?.(err);
    }
  }
}

/** fetch wraps socket errors as TypeError("fetch failed") with the errno code in `cause`. */
function networkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
