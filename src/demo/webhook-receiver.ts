import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DELIVERY_HEADER, SIGNATURE_HEADER, verifySignature } from '../controller/webhooks/signature.js';

export interface ReceivedWebhook {
  deliveryId: string;
  event: string;
  rolloutId: string;
  verified: boolean;
}

/**
 * The demo's stand-in for CI: a loopback receiver that checks each webhook's HMAC signature and keeps what
 * arrived, dropping duplicates by delivery id as a real receiver should.
 */
export async function startWebhookReceiver(
  secret: string,
): Promise<{ url: string; received: ReceivedWebhook[]; close(): Promise<void> }> {
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const verified = verifySignature(secret, raw, req.headers[SIGNATURE_HEADER]);
      const deliveryId = String(req.headers[DELIVERY_HEADER] ?? '');
      if (!received.some((r) => r.deliveryId === deliveryId)) {
        try {
          const body = JSON.parse(raw.toString()) as { event?: string; rolloutId?: string };
          received.push({ deliveryId, event: body.event ?? '?', rolloutId: body.rolloutId ?? '?', verified });
        } catch {
          received.push({ deliveryId, event: '?', rolloutId: '?', verified: false });
        }
      }
      res.writeHead(verified ? 204 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/adaptive-canary`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
