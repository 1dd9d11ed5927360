import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeControllerView, makeInterval, makeSnapshot } from '../../test/e2e/support/fake-controller-view.js';
import { parseListen, urlFor } from './listen-address.js';
import { startServer, type RunningServer } from './start-server.js';

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** Reads an SSE body until `until` matches the accumulated text. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  until: RegExp,
  seen = { text: '' },
): Promise<string> {
  const decoder = new TextDecoder();
  while (!until.test(seen.text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${until}; got:\n${seen.text}`);
    seen.text += decoder.decode(value, { stream: true });
  }
  return seen.text;
}

describe('listen address', () => {
  it('defaults to loopback and parses the forms people type', () => {
    expect(parseListen(':0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListen('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseListen('0.0.0.0:80')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(() => parseListen('8080')).toThrow(/HOST:PORT/);
    expect(() => parseListen('host:99999')).toThrow(/HOST:PORT/);
    expect(urlFor('::1', 5)).toBe('http://[::1]:5/');
  });

  it('binds 127.0.0.1 with a free port when asked for port 0', async () => {
    running = await startServer({ listen: '127.0.0.1:0', view: new FakeControllerView(), registry: new Registry() });
    expect(running.port).toBeGreaterThan(0);
    expect(running.url).toBe(`http://127.0.0.1:${running.port}/`);
    expect((await fetch(`${running.url}healthz`)).status).toBe(200);
  });

  it('listens on 127.0.0.1:8080 when no address is given', async () => {
    const server = await startServer({ view: new FakeControllerView(), registry: new Registry() }).catch(
      (err: Error) => err,
    );
    // Another process may hold 8080 on a shared machine; then the error must name the address.
    if (server instanceof Error) {
      expect(server.message).toContain('127.0.0.1:8080');
    } else {
      running = server;
      expect(server.url).toBe('http://127.0.0.1:8080/');
    }
  });
});

describe('server-sent events', () => {
  it('sends current snapshots, then live events and heartbeats; unsubscribes when the client leaves', async () => {
    const view = new FakeControllerView();
    view.upsert(makeSnapshot({ id: 'r1' }));
    running = await startServer({ listen: '127.0.0.1:0', view, registry: new Registry(), heartbeatMs: 50 });
    const controller = new AbortController();
    const res = await fetch(`${running.url}api/v1/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const seen = { text: '' };
    await readUntil(reader, /event: snapshot\ndata: .*"id":"r1"/, seen);
    expect(view.listenerCount()).toBe(1);
    view.interval('r1', makeInterval(1, { score: 0.42 }));
    await readUntil(
      reader,
      /event: interval\ndata: \{"type":"interval","rolloutId":"r1","point":\{.*"score":0\.42/,
      seen,
    );
    await readUntil(reader, /\n: heartbeat\n\n/, seen);
    controller.abort();
    await reader.cancel().catch(() => undefined);
    await expect.poll(() => view.listenerCount(), { timeout: 2000 }).toBe(0);
  });

  it('ends open streams cleanly when the server closes', async () => {
    const view = new FakeControllerView();
    running = await startServer({ listen: '127.0.0.1:0', view, registry: new Registry() });
    const res = await fetch(`${running.url}api/v1/events`);
    const reader = res.body!.getReader();
    await readUntil(reader, /retry: 2000/);
    // The stream is still open here: close resolving at all (rather than hanging until the test times out) shows it
    // ended the stream instead of waiting for the client to go away.
    await running.close();
    running = undefined;
    let done = false;
    while (!done) done = (await reader.read()).done;
    expect(view.listenerCount()).toBe(0);
  });
});

describe('request body limit', () => {
  it(
    'an authenticated POST over the limit is refused with 413 before the ' + 'handler reads it (declared and chunked)',
    async () => {
      const view = new FakeControllerView();
      view.upsert(makeSnapshot({ id: 'r1' }));
      running = await startServer({ listen: '127.0.0.1:0', view, registry: new Registry(), token: 't0ken' });
      const url = `${running.url}api/v1/rollouts/r1/pause`;
      const headers = { authorization: 'Bearer t0ken', 'content-type': 'application/json' };
      // A small body first (a refused one closes its connection, and fetch may reuse that).
      const small = await fetch(url, { method: 'POST', headers, body: '{"actor":"ana"}' });
      expect(small.status).toBe(200);
      expect(view.actions).toEqual([{ id: 'r1', action: 'pause', actor: 'user:ana' }]);
      const big = `{"actor":"a","pad":"${'x'.repeat(2 * 1024 * 1024)}"}`;
      const declared = await fetch(url, { method: 'POST', headers, body: big });
      expect(declared.status).toBe(413);
      expect(((await declared.json()) as { error: { code: string } }).error.code).toBe('E_PAYLOAD_TOO_LARGE');
      // No Content-Length: the body streams in 64 KiB chunks and is cut off once it passes the limit.
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 64) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const chunked = await fetch(url, { method: 'POST', headers, body: stream, duplex: 'half' });
      expect(chunked.status).toBe(413);
      expect(view.actions).toHaveLength(1);
    },
  );
});
