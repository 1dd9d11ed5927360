import { Hono } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { ControllerEvent, ControllerView } from '../controller/view.js';

export interface EventStreams {
  routes: Hono;
  /** Number of connected clients (for tests and the shutdown log). */
  size(): number;
  /** Ends every open stream so the HTTP server can close without waiting for clients. */
  closeAll(): void;
}

/**
 * `/api/v1/events`: server-sent events. A client first receives one `snapshot` per rollout, then every
 * `interval`, `decision` and `snapshot` the controller emits (the event name is the ControllerEvent's type,
 * the data its JSON). Comment lines every `heartbeatMs` keep proxies from closing an idle stream.
 */
export function eventStreams(view: ControllerView, heartbeatMs: number): EventStreams {
  const enders = new Set<() => void>();
  const routes = new Hono();
  routes.get('/', (c) =>
    streamSSE(c, async (stream) => {
      let ended!: () => void;
      const done = new Promise<void>((resolve) => (ended = resolve));
      enders.add(ended);
      stream.onAbort(ended);
      const send = sender(stream);
      send({ retry: 2000 });
      for (const rollout of view.list()) send({ event: { type: 'snapshot', rollout } });
      const unsubscribe = view.subscribe((event) => send({ event }));
      const heartbeat = setInterval(() => send({ comment: 'heartbeat' }), heartbeatMs);
      try {
        await done;
      } finally {
        clearInterval(heartbeat);
        unsubscribe();
        enders.delete(ended);
      }
    }),
  );
  return {
    routes,
    size: () => enders.size,
    closeAll: () => [...enders].forEach((end) => end()),
  };
}

type Outgoing = { event: ControllerEvent } | { comment: string } | { retry: number };

/** Serialises writes so events reach the client in the order the controller emitted them. */
function sender(stream: SSEStreamingApi): (out: Outgoing) => void {
  let chain: Promise<unknown> = Promise.resolve();
  let id = 0;
  return (out) => {
    if (stream.aborted || stream.closed) return;
    chain = chain
      .then(async () => {
        if ('comment' in out) await stream.write(`: ${out.comment}\n\n`);
        else if ('retry' in out) await stream.write(`retry: ${out.retry}\n\n`);
        else {
          id += 1;
          await stream.writeSSE({ event: out.event.type, data: JSON.stringify(out.event), id: String(id) });
        }
      })
      // A client that went away mid-write is normal; the abort handler cleans up.
      .catch(() => undefined);
  };
}
