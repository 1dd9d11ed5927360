import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalActuator } from './local-actuator.js';
import { WeightedSplit } from './weighted-split.js';

interface Backend {
  url: string;
  close(): Promise<void>;
  release(): void;
}

/** A loopback upstream answering with its name; `/slow` waits until release() is called. */
async function backend(name: string, status = 200): Promise<Backend> {
  const waiting: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const reply = (): void => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(name);
    };
    if (req.url === '/slow') waiting.push(reply);
    else reply();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    release: () => {
      for (const w of waiting.splice(0)) w();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const agent = new http.Agent({ keepAlive: true });
function get(url: string): Promise<{ status: number; body: string; variant: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body, variant: String(res.headers['x-canary-variant']) }),
        );
      })
      .on('error', reject);
  });
}

describe('WeightedSplit', () => {
  it('sends exactly weight% of each block of 100 requests to the canary (fractions carried over)', () => {
    for (const w of [0, 1, 10, 25, 33, 50, 99, 100, 12.5]) {
      const s = new WeightedSplit();
      s.weight = w;
      let canary = 0;
      for (let i = 0; i < 1000; i++) if (s.nextIsCanary()) canary++;
      expect(canary).toBe(w * 10);
    }
  });
  it('does not alias periodic traffic onto one variant', () => {
    const s = new WeightedSplit();
    s.weight = 10;
    const byKind = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) if (s.nextIsCanary()) byKind[i % 10]! += 1;
    // A request type that comes every 10th request gets ~10% canary, like every other type.
    for (const n of byKind) expect(n).toBeGreaterThan(60);
  });
  it('rejects weights outside 0..100', () => {
    expect(() => {
      new WeightedSplit().weight = 101;
    }).toThrow(RangeError);
  });
});

describe('LocalActuator (embedded router)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup(canaryStatus = 200): Promise<{ act: LocalActuator; stable: Backend; canary: Backend }> {
    const stable = await backend('stable');
    const canary = await backend('canary', canaryStatus);
    const act = await LocalActuator.start({ stable: stable.url, canary: canary.url, latencyBoundsMs: [5, 50, 500] });
    cleanup.push(
      () => stable.close(),
      () => canary.close(),
      () => act.close(),
    );
    return { act, stable, canary };
  }

  it(
    'with a baseline, splits the canary share in half between canary and ' + 'baseline (stable keeps the rest)',
    async () => {
      const stable = await backend('stable');
      const canary = await backend('canary');
      const baseline = await backend('baseline');
      const act = await LocalActuator.start({
        stable: stable.url,
        canary: canary.url,
        baseline: baseline.url,
        latencyBoundsMs: [5, 50, 500],
      });
      cleanup.push(
        () => stable.close(),
        () => canary.close(),
        () => baseline.close(),
        () => act.close(),
      );
      await act.setWeight(20);
      const seen = { stable: 0, canary: 0, baseline: 0 };
      for (let i = 0; i < 200; i++) seen[(await get(`${act.url}/api/x`)).body as keyof typeof seen] += 1;
      expect(seen).toEqual({ stable: 160, canary: 20, baseline: 20 });
      const obs = act.router.recorder.take();
      expect(obs.control).toMatchObject({ requests: 20, errors: 0 });
      expect(obs.canary).toMatchObject({ requests: 20 });
      // Promoted, the canary takes everything; rolled back, stable does.
      await act.promote();
      for (let i = 0; i < 10; i++) expect((await get(`${act.url}/api/x`)).body).toBe('canary');
    },
  );

  it('splits by weight and records status and latency per variant', async () => {
    const { act } = await setup(503);
    await act.setWeight(20);
    const seen = { stable: 0, canary: 0 };
    for (let i = 0; i < 100; i++) {
      const r = await get(`${act.url}/api/x`);
      seen[r.body as 'stable' | 'canary'] += 1;
      expect(r.variant).toBe(r.body);
    }
    expect(seen).toEqual({ stable: 80, canary: 20 });
    const obs = act.router.recorder.take();
    expect(obs.baseline).toMatchObject({ requests: 80, errors: 0 });
    expect(obs.canary).toMatchObject({ requests: 20, errors: 20 });
    expect(obs.canary.latency).toHaveLength(4);
    expect(obs.canary.latency!.reduce((a, b) => a + b, 0)).toBe(20);
    expect(act.router.recorder.take().canary.requests).toBe(0);
  });

  it('rolls back instantly: the next request goes to stable while an in-flight canary request finishes', async () => {
    const { act, canary } = await setup();
    await act.setWeight(100);
    const inFlight = get(`${act.url}/slow`);
    await new Promise((r) => setTimeout(r, 50));
    expect(act.router.inFlight('canary')).toBe(1);
    const before = Date.now();
    const { confirmedAt } = await act.rollback();
    expect(confirmedAt - before).toBeLessThan(50);
    expect((await get(`${act.url}/a`)).body).toBe('stable');
    expect(await act.state()).toMatchObject({ phase: 'rolled-back', canaryWeight: 0 });
    canary.release();
    expect((await inFlight).body).toBe('canary');
    await act.router.canaryDrained();
    expect(act.router.inFlight('canary')).toBe(0);
    await expect(act.setWeight(10)).rejects.toThrow(/rolled-back/);
  });

  it('answers 502 and counts an error when an upstream is down', async () => {
    const { act, canary } = await setup();
    await canary.close();
    await act.setWeight(100);
    const r = await get(`${act.url}/x`);
    expect(r.status).toBe(502);
    expect(act.router.recorder.take().canary).toMatchObject({ requests: 1, errors: 1 });
  });

  it('starts command upstreams on a free port and reports when one dies', async () => {
    const serve =
      `node -e ` +
      `"require('http').createServer((q,s)=>s.end(process.env.NAME)).listen(process.env.PORT,'127.0.0.1')"`;
    const act = await LocalActuator.start({
      stable: `NAME=stable ${serve}`,
      canary: `NAME=canary ${serve}`,
      latencyBoundsMs: [50],
    });
    cleanup.push(() => act.close());
    await act.setWeight(100);
    expect((await get(`${act.url}/`)).body).toBe('canary');
    const fault = new Promise((resolve) => act.onFault(resolve));
    const st = await act.state();
    expect(st.canaryUp).toBe(true);
    // Kill the canary command from outside, as the OOM killer would.
    const pid = (act as unknown as { upstreams: { canary: { child: { pid: number } } } }).upstreams.canary.child.pid;
    process.kill(-pid, 'SIGKILL');
    expect(await fault).toMatchObject({ variant: 'canary', message: expect.stringMatching(/canary command exited/) });
    expect((await act.state()).canaryUp).toBe(false);
  });

  it('refuses to start when a command never listens, naming the port it was given', async () => {
    await expect(
      LocalActuator.start({ stable: 'sleep 5', canary: 'sleep 5', latencyBoundsMs: [50], startTimeoutMs: 400 }),
    ).rejects.toThrow(/did not accept connections .*PORT=/);
  });
});
