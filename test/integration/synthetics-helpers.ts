import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeSuite, type ProbeSuite } from '../../src/schema/probe-suite.js';

/** A suite from a plain object, with the header filled in (tests state only what matters). */
export function suiteOf(spec: Record<string, unknown>, name = 'it'): ProbeSuite {
  return probeSuite.parse({ apiVersion: 'syntheticsctl/v1', kind: 'ProbeSuite', metadata: { name }, spec });
}

export function oneStep(
  request: Record<string, unknown>,
  assert: unknown[] = [{ status: 200 }],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { interval: '10s', timeout: '2s', ...extra, flows: [{ name: 'f', steps: [{ name: 's', request, assert }] }] };
}

/** A loopback HTTP server on port 0; resolves with its URL and a close function. */
export async function listen(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
