import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { formatBytes, INPUT_LIMITS } from '../schema/input-limits.js';
import { HttpError } from './http-error.js';

/**
 * Refuses a request body over `maxBytes` with 413 before a handler reads it: a declared Content-Length is
 * checked up front, a chunked body is counted as it streams and cut off at the limit. createApp puts the
 * default in front of everything under /api; a route with another limit (the OTLP receiver) mounts its own.
 */
export function limitRequestBody(maxBytes: number = INPUT_LIMITS.requestBody): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new HttpError(
        413,
        'E_PAYLOAD_TOO_LARGE',
        `request body over the ${formatBytes(maxBytes)} limit (see docs/security.md "Size limits")`,
      );
    },
  });
}
