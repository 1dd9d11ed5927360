import { gunzipSync } from 'node:zlib';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { decodeMetricsRequest, OtlpDecodeError, type Encoding } from '../sources/otlp/decode-request.js';
import { otlpTypes } from '../sources/otlp/proto-root.js';
import type { OtlpReceiver } from '../sources/otlp/receiver.js';
import { bearerToken, tokensEqual } from './auth.js';

/**
 * OTLP/HTTP metrics (`POST /v1/metrics`) as the OTLP specification has a server answer: the response in the
 * request's encoding; 200 with `partialSuccess` when some points were dropped (clients must not retry those);
 * errors as a `google.rpc.Status` with 400/401/403/413/415 (not retryable) or 503 + Retry-After (retryable)
 * when too many exports are being read at once. The compressed and the decompressed body are both capped.
 */
export interface OtlpRouteOptions {
  receiver: OtlpReceiver;
  /** Required (Authorization: Bearer) when set; the server sets it whenever it listens off loopback. */
  token?: string | undefined;
  requireToken: boolean;
  maxBodyBytes?: number;
  maxInFlight?: number;
}

/** The OTLP specification's recommendation for the decompressed size a server accepts is higher; this is ample. */
export const DEFAULT_OTLP_MAX_BODY = 16 * 1024 * 1024;

// google.rpc.Code values for the Status body.
const CODE = { invalidArgument: 3, permissionDenied: 7, resourceExhausted: 8, unavailable: 14, unauthenticated: 16 };

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

function reply(c: Context, enc: Encoding, status: 200 | 400 | 401 | 403 | 413 | 415 | 503, body: object): Response {
  if (enc === 'json') return c.json(body, status);
  const t = status === 200 ? otlpTypes().response : otlpTypes().status;
  const bytes = t.encode(t.fromObject(body)).finish();
  return c.body(bytes as Uint8Array<ArrayBuffer>, status, { 'content-type': 'application/x-protobuf' });
}

export function otlpRoutes(options: OtlpRouteOptions): Hono {
  const maxBody = options.maxBodyBytes ?? DEFAULT_OTLP_MAX_BODY;
  const maxInFlight = options.maxInFlight ?? 64;
  let inFlight = 0;
  const app = new Hono();
  const tooLarge = (c: Context): Response =>
    reply(c, encodingOf(c.req.header('content-type')) ?? 'json', 413, {
      code: CODE.resourceExhausted,
      message: `the export is larger than ${maxBody} bytes; send smaller batches`,
    });
  app.post(
    '/v1/metrics',
    async (c, next) => {
      const enc = encodingOf(c.req.header('content-type'));
      if (!enc)
        return reply(c, 'json', 415, {
          code: CODE.invalidArgument,
          message: 'Content-Type must be application/x-protobuf or application/json',
        });
      if (options.requireToken) {
        if (!options.token)
          return reply(c, enc, 403, {
            code: CODE.permissionDenied,
            message: 'OTLP off loopback needs the controller to be started with a token (ADAPTIVE_CANARY_TOKEN)',
          });
        const presented = bearerToken(c.req.header('authorization'));
        if (presented === undefined || !tokensEqual(presented, options.token)) {
          c.header('WWW-Authenticate', 'Bearer realm="adaptive-canary"');
          return reply(c, enc, 401, {
            code: CODE.unauthenticated,
            message: 'a valid bearer token is required (exporter headers: Authorization: Bearer <token>)',
          });
        }
      }
      if (inFlight >= maxInFlight) {
        c.header('Retry-After', '1');
        return reply(c, enc, 503, { code: CODE.unavailable, message: 'too many exports in flight; retry later' });
      }
      inFlight++;
      try {
        await next();
      } finally {
        inFlight--;
      }
    },
    bodyLimit({ maxSize: maxBody, onError: tooLarge }),
    async (c) => {
      const enc = encodingOf(c.req.header('content-type'))!;
      let body = new Uint8Array(await c.req.arrayBuffer());
      const coding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase();
      try {
        if (coding === 'gzip') body = gunzipSync(body, { maxOutputLength: maxBody });
        else if (coding !== 'identity')
          throw new OtlpDecodeError(`Content-Encoding ${coding} is not supported (gzip is)`);
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(c);
        const message = err instanceof OtlpDecodeError ? err.message : `cannot gunzip: ${(err as Error).message}`;
        return reply(c, enc, 400, { code: CODE.invalidArgument, message });
      }
      let result;
      try {
        result = options.receiver.ingest(decodeMetricsRequest(body, enc));
      } catch (err) {
        if (!(err instanceof OtlpDecodeError)) throw err;
        return reply(c, enc, 400, { code: CODE.invalidArgument, message: err.message });
      }
      const partial = result.rejected
        ? { partialSuccess: { rejectedDataPoints: String(result.rejected), errorMessage: result.message ?? '' } }
        : {};
      return reply(c, enc, 200, partial);
    },
  );
  return app;
}
