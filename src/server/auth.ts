import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { HttpError } from './http-error.js';

/**
 * Compares a presented token with the configured one in constant time. Hashing first makes both sides the
 * same length, so neither the content nor the length of the secret leaks through timing.
 */
export function tokensEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Extracts the token of an `Authorization: Bearer <token>` header; undefined for any other shape. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Guards mutating endpoints. Without a configured token they are switched off entirely (403), so a
 * controller started without `--token` can never be steered over HTTP by accident.
 */
export function requireBearer(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (!token) {
      throw new HttpError(
        403,
        'E_ACTIONS_DISABLED',
        'manual actions are disabled: this controller was started without an ' +
          'API token; restart it with one to allow promote/abort/pause/resume',
      );
    }
    const presented = bearerToken(c.req.header('authorization'));
    if (presented === undefined || !tokensEqual(presented, token)) {
      throw new HttpError(401, 'E_UNAUTHORIZED', 'a valid bearer token is required (Authorization: Bearer <token>)', {
        'WWW-Authenticate': 'Bearer realm="adaptive-canary"',
      });
    }
    await next();
  };
}
