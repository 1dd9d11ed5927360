import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-adaptive-canary-signature';
export const DELIVERY_HEADER = 'x-adaptive-canary-delivery';
export const EVENT_HEADER = 'x-adaptive-canary-event';

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the value of X-Adaptive-Canary-Signature (GitHub's scheme). */
export function signBody(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/**
 * What a receiver does: recompute the HMAC over the exact bytes received (not re-serialised JSON) and compare
 * in constant time.
 * @example verifySignature(process.env.WEBHOOK_SECRET!, rawBody, req.headers['x-adaptive-canary-signature'])
 */
export function verifySignature(
  secret: string,
  rawBody: string | Buffer,
  header: string | string[] | undefined,
): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(signBody(secret, rawBody));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
