import type { ServerResponse } from 'node:http';
import type { ResourceType } from './kube-resources.js';
import type { WatchEvent } from './kube-store.js';

/**
 * A watch as the API server streams it: one JSON event per line. No resourceVersion → synthetic ADDED events
 * for every current object, then changes; a resourceVersion → the changes after it, or an ERROR event with a
 * 410 Status when that history was compacted (the client must re-list).
 */
export function serveWatch(
  rt: ResourceType,
  namespace: string | undefined,
  params: URLSearchParams,
  res: ServerResponse,
  open: Set<ServerResponse>,
): void {
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  const write = (type: string, object: unknown): void => void res.write(`${JSON.stringify({ type, object })}\n`);
  const inScope = (e: WatchEvent): boolean => namespace === undefined || e.object.metadata.namespace === namespace;
  const rv = params.get('resourceVersion');
  if (rv && rv !== '0') {
    const missed = rt.store.since(Number(rv));
    if (missed === 'gone') {
      write('ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'Expired',
        code: 410,
        message: `too old resource version: ${rv}`,
      });
      res.end();
      return;
    }
    for (const e of missed.filter(inScope)) write(e.type, e.object);
  } else {
    for (const obj of rt.store.list(namespace, params.get('labelSelector') ?? undefined)) write('ADDED', obj);
  }
  open.add(res);
  const unsubscribe = rt.store.subscribe((e) => {
    if (inScope(e)) write(e.type, e.object);
  });
  const timeout = Number(params.get('timeoutSeconds') ?? 0);
  const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
  res.on('close', () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    open.delete(res);
  });
}
