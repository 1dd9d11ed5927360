import { describe, expect, it } from 'vitest';
import type { WebhookDelivery } from '../../schema/evidence.js';
import { WebhookSender } from './sender.js';
import { verifySignature } from './signature.js';
import { messageForDecision } from './payload.js';

const message = {
  event: 'rollback' as const,
  service: 'maestro-api',
  rolloutId: 'r1',
  step: 1,
  weight: 25,
  score: 0.4,
  reasons: [],
};

interface Call {
  body: string;
  headers: Record<string, string>;
}

/** A scripted fetch: each call takes the next response (a status, [status, retry-after], or an Error). */
function scripted(script: (number | [number, string] | Error)[]): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const impl = (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ body: init?.body as string, headers: init?.headers as Record<string, string> });
    const next = script[Math.min(calls.length - 1, script.length - 1)]!;
    if (next instanceof Error) return Promise.reject(next);
    const [status, retryAfter] = Array.isArray(next) ? next : [next, undefined];
    return Promise.resolve(new Response(null, { status, headers: retryAfter ? { 'retry-after': retryAfter } : {} }));
  };
  return { fetch: impl, calls };
}

function sender(
  script: (number | [number, string] | Error)[],
  extra: Partial<ConstructorParameters<typeof WebhookSender>[0]> = {},
) {
  const { fetch, calls } = scripted(script);
  const sleeps: number[] = [];
  const deliveries: WebhookDelivery[] = [];
  const s = new WebhookSender({
    url: 'https://hooks.example/ci?token=abcdef123',
    secret: 'whsec_test_secret',
    fetch,
    sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
    random: () => 0,
    onDelivery: (d) => deliveries.push(d),
    ...extra,
  });
  return { s, calls, sleeps, deliveries };
}

const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });

describe('WebhookSender', () => {
  it('signs the raw body, keeps one delivery id across retries, and backs off on 5xx', async () => {
    const { s, calls, sleeps, deliveries } = sender([503, 500, 200]);
    const id = s.send(message)!;
    await s.drain(1000);
    expect(calls).toHaveLength(3);
    for (const c of calls) {
      expect(c.headers['x-adaptive-canary-delivery']).toBe(id);
      expect(JSON.parse(c.body)).toMatchObject({
        deliveryId: id,
        event: 'rollback',
        service: 'maestro-api',
        rolloutId: 'r1',
        step: 1,
        weight: 25,
        score: 0.4,
      });
      expect(verifySignature('whsec_test_secret', c.body, c.headers['x-adaptive-canary-signature'])).toBe(true);
      expect(verifySignature('wrong-secret', c.body, c.headers['x-adaptive-canary-signature'])).toBe(false);
    }
    expect(sleeps).toEqual([250, 500]);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({
      deliveryId: id,
      outcome: 'delivered',
      status: 200,
      url: 'https://hooks.example/ci?token=[REDACTED]',
    });
    expect(deliveries[0]!.attempts.map((a) => a.status)).toEqual([503, 500, 200]);
  });

  it('honours Retry-After on 429 and retries network errors', async () => {
    const { s, sleeps, deliveries } = sender([[429, '2'], refused, 204]);
    s.send(message);
    await s.drain(1000);
    expect(sleeps).toEqual([2000, 500]);
    expect(deliveries[0]!.attempts.map((a) => a.status ?? a.error)).toEqual([429, 'ECONNREFUSED', 204]);
  });

  it('does not retry other 4xx and gives up after maxAttempts', async () => {
    const a = sender([400]);
    a.s.send(message);
    await a.s.drain(1000);
    expect(a.calls).toHaveLength(1);
    expect(a.deliveries[0]).toMatchObject({ outcome: 'failed', status: 400 });
    const b = sender([502], { maxAttempts: 3 });
    b.s.send(message);
    expect(await b.s.drain(1000)).toEqual({ delivered: 0, failed: 1, abandoned: 0 });
    expect(b.calls).toHaveLength(3);
  });

  it('sends only the events the receiver asked for', async () => {
    const { s, calls } = sender([200], { events: ['promote', 'rollback'] });
    expect(s.send({ ...message, event: 'step' })).toBeUndefined();
    expect(s.send(message)).toBeTypeOf('string');
    await s.drain(1000);
    expect(calls).toHaveLength(1);
  });

  it('maps controller decisions to events with a deterministic id from the evidence head', () => {
    const decision = {
      at: '2026-08-03T10:00:00Z',
      action: 'rollback' as const,
      step: 2,
      weight: 50,
      score: 0.3,
      by: 'judge',
      reasons: [],
    };
    expect(messageForDecision('svc', 'r9', decision, { seq: 7, hash: 'a'.repeat(64) })).toMatchObject({
      event: 'rollback',
      deliveryId: 'r9-7-rollback',
      evidence: { seq: 7 },
    });
    expect(messageForDecision('svc', 'r9', { ...decision, action: 'start' })).toBeUndefined();
  });

  it('carries the decision in one line a person reads, led by its headline reason', () => {
    const reason = {
      signal: 'error-rate',
      verdict: 'fail' as const,
      statistic: 'mixture-likelihood-ratio',
      value: 285.34,
      threshold: 200,
      message: 'regressed: errors 34 on canary vs 17.6 expected',
      effect: { counted: 'errors', observed: 34, expected: 17.6, ratio: 1.93, lower: 1.02, upper: 4.31 },
    };
    const pass = { ...reason, signal: 'latency-p99', verdict: 'pass' as const, effect: undefined };
    const decision = { at: '2026-08-03T10:00:00Z', action: 'rollback' as const, step: 1, weight: 25, score: 0.4 };
    expect(messageForDecision('svc', 'r9', { ...decision, by: 'judge', reasons: [pass, reason] })?.text).toBe(
      'r9: rollback at step 2 (weight 25%) — error-rate: canary 1.9× ' +
        'baseline (1.0–4.3), 34 vs 17.6 expected errors — regressed',
    );
  });
});
