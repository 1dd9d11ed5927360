import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from '../errors.js';

/**
 * Stable error codes of the HTTP API. Clients (scripts, the dashboard, Argo's web provider) match on these,
 * so add codes but never rename them.
 */
export type HttpErrorCode =
  | 'E_NOT_FOUND'
  | 'E_ROLLOUT_NOT_FOUND'
  | 'E_BAD_REQUEST'
  | 'E_UNAUTHORIZED'
  | 'E_ACTIONS_DISABLED'
  | 'E_HOST_NOT_ALLOWED'
  | 'E_METHOD_NOT_ALLOWED'
  | 'E_ACTION_REJECTED'
  | 'E_PAYLOAD_TOO_LARGE'
  | 'E_INTERNAL';

/** Thrown by handlers; turned into `{error: {code, message}}` by `errorResponse`. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: HttpErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * The one place errors become responses. The controller's own AppErrors (e.g. "cannot promote a rolled-back
 * rollout") keep their code and message; anything else is a bug and must not leak internals to the client.
 */
export function errorResponse(err: unknown, c: Context, onBug: (err: unknown) => void): Response {
  if (err instanceof HttpError) {
    for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
    return c.json(errorBody(err.code, err.message), err.status);
  }
  if (err instanceof AppError) {
    // The controller may say which HTTP status fits (e.g. 404 for an unknown rollout); otherwise it refused: 409.
    const status = (err as AppError & { status?: unknown }).status;
    const fitting =
      typeof status === 'number' && status >= 400 && status < 500 ? (status as ContentfulStatusCode) : 409;
    return c.json(errorBody(err.code, err.message), fitting);
  }
  onBug(err);
  return c.json(errorBody('E_INTERNAL', 'internal server error; see the controller log'), 500);
}
