import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookSender, verifySignature } from '../../src/controller/webhooks/index.js';
import { openEvidence, readRollout } from '../../src/evidence/index.js';
import { tempWorkspace } from '../support/evidence-fixtures.js';
import { until } from '../support/poll.js';
import type { WebhookDelivery } from '../../src/schema/evidence.js';

const SECRET = 'whsec_integration_0123456789';
const message = {
  event: 'rollback' as const,
  service: 'maestro-api',
  rolloutId: 'r-int',
  step: 1,
  weight: 25,
  score: 0.41,
  reasons: [],
};

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

async function listen(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

/** A port nothing listens on: bind, note the port, close. */
async function closedPort(): Promise<string> {
  const { server, url } = await listen(() => undefined);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}

describe('webhook delivery against real loopback receivers', () => {
  const servers: Server[] = [];
  const accepted = new Map<string, unknown>();
  let duplicates = 0;
  let rejectedSignatures = 0;
  let flakyCalls = 0;
  let hangingRequests = 0;
  let urls: { verifying: string; flaky: string; down: string; hanging: string };

  beforeAll(async () => {
    const verifying = await listen((req, body, res) => {
      // What a receiver should do: check the HMAC over the raw bytes, then drop delivery ids it has seen.
      if (!verifySignature(SECRET, body, req.headers['x-adaptive-canary-signature'])) {
        rejectedSignatures++;
        res.writeHead(401).end();
        return;
      }
      const id = String(req.headers['x-adaptive-canary-delivery']);
      if (accepted.has(id)) duplicates++;
      else accepted.set(id, JSON.parse(body));
      res.writeHead(200).end('ok');
    });
    const flaky = await listen((_req, _body, res) => {
      flakyCalls++;
      res.writeHead(flakyCalls <= 2 ? 503 : 200).end();
    });
    const hanging = await listen(() => void hangingRequests++); // never answers
    servers.push(verifying.server, flaky.server, hanging.server);
    urls = { verifying: verifying.url, flaky: flaky.url, down: await closedPort(), hanging: hanging.url };
  });

  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  it('never blocks the caller, delivers what it can, and records every outcome in the evidence', async () => {
    const ws = tempWorkspace('webhooks-int-');
    const log = openEvidence({ root: ws.root, prRoot: ws.prRoot, service: 'maestro-api', rolloutId: 'r-int' });
    const seen: WebhookDelivery[] = [];
    const make = (url: string): WebhookSender =>
      new WebhookSender({
        url,
        secret: SECRET,
        timeoutMs: 300,
        maxAttempts: 3,
        backoff: { baseDelayMs: 20, maxDelayMs: 100 },
        onDelivery: (d) => {
          seen.push(d);
          log.recordDelivery(d);
        },
      });
    const senders = {
      verifying: make(urls.verifying),
      flaky: make(urls.flaky),
      down: make(urls.down),
      hanging: make(urls.hanging),
    };

    const ids = Object.fromEntries(Object.entries(senders).map(([name, s]) => [name, s.send(message)!]));
    // The same event again with the same delivery id (e.g. a resumed controller): the receiver drops it.
    senders.verifying.send({ ...message, deliveryId: ids.verifying });
    // Proved by order, not by a stopwatch: `send` hands back the delivery id synchronously (it cannot have waited on
    // a socket), nothing has been delivered yet, and the caller's own next step (here: awaiting real I/O, as a
    // traffic move does) completes while the hanging receiver holds its request open with no outcome recorded.
    expect(Object.values(ids).every((id) => typeof id === 'string')).toBe(true);
    expect(seen).toHaveLength(0);
    await until(() => hangingRequests > 0, 10_000);
    expect(seen.some((d) => d.deliveryId === ids.hanging)).toBe(false);

    const results = await Promise.all(Object.values(senders).map((s) => s.drain(10_000)));
    expect(results.reduce((a, r) => a + r.delivered, 0)).toBe(3); // verifying ×2 (same id), flaky
    expect(results.reduce((a, r) => a + r.failed, 0)).toBe(2); // down, hanging

    expect(accepted.size).toBe(1);
    expect(duplicates).toBe(1);
    expect(rejectedSignatures).toBe(0);
    expect(accepted.get(ids.verifying!)).toMatchObject({
      deliveryId: ids.verifying,
      event: 'rollback',
      rolloutId: 'r-int',
      score: 0.41,
    });

    const byId = (id: string): WebhookDelivery => seen.find((d) => d.deliveryId === id)!;
    expect(byId(ids.flaky!)).toMatchObject({ outcome: 'delivered', status: 200 });
    expect(byId(ids.flaky!).attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    expect(byId(ids.down!)).toMatchObject({ outcome: 'failed', status: null });
    expect(byId(ids.down!).attempts.map((a) => a.error)).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
    const hung = byId(ids.hanging!);
    expect(hung.outcome).toBe('failed');
    expect(hung.attempts.map((a) => a.error)).toEqual(['timeout', 'timeout', 'timeout']);
    for (const a of hung.attempts) expect(a.durationMs).toBeGreaterThanOrEqual(250);

    log.close();
    const recorded = readRollout(log.dir).deliveries;
    expect(recorded).toHaveLength(5);
    expect(
      recorded
        .filter((d) => d.outcome === 'failed')
        .map((d) => d.deliveryId)
        .sort(),
    ).toEqual([ids.down, ids.hanging].sort());
  });

  it('drain gives up on a hanging receiver after its timeout and records the delivery as abandoned', async () => {
    const seen: WebhookDelivery[] = [];
    const requestTimeoutMs = 30_000;
    const s = new WebhookSender({
      url: urls.hanging,
      secret: SECRET,
      timeoutMs: requestTimeoutMs,
      onDelivery: (d) => seen.push(d),
    });
    s.send(message);
    const t0 = performance.now();
    expect(await s.drain(200)).toEqual({ delivered: 0, failed: 0, abandoned: 1 });
    // The promise is that shutdown does not wait out the request's own timeout; the 'abandoned' outcome (not a
    // 'timeout' failure) already shows that, and half the request timeout leaves a loaded machine ample room.
    expect(performance.now() - t0).toBeLessThan(requestTimeoutMs / 2);
    expect(seen[0]).toMatchObject({ outcome: 'abandoned', attempts: [{ attempt: 1, error: 'abandoned at shutdown' }] });
  });
});
