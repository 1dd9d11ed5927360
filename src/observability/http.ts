import { INPUT_LIMITS, InputTooLargeError } from '../schema/input-limits.js';
import { readLimitedBody } from '../read-input.js';

/**
 * One JSON-over-HTTP call that never throws: observability must not break the rollout (or a rollback) it
 * observes, so every failure comes back as a value with a message safe to record (no tokens in it).
 */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type HttpResult<T> = { ok: true; status: number; body: T } | { ok: false; status?: number; error: string };

export interface JsonRequest {
  url: string;
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  fetch?: FetchLike;
  timeoutMs?: number;
  /** The largest response body read; larger ones are a failure (default INPUT_LIMITS.apiResponse). */
  maxBytes?: number;
}

export async function requestJson<T>(req: JsonRequest): Promise<HttpResult<T>> {
  const doFetch = req.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  const where = `${req.method ?? 'GET'} ${redactUrl(req.url)}`;
  try {
    const res = await doFetch(req.url, {
      method: req.method ?? 'GET',
      headers,
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      signal: AbortSignal.timeout(req.timeoutMs ?? 5000),
    });
    const text = await readLimitedBody(res, req.maxBytes ?? INPUT_LIMITS.apiResponse, 'the response');
    if (!res.ok)
      return { ok: false, status: res.status, error: `${where}: HTTP ${res.status} ${text.slice(0, 300).trim()}` };
    try {
      return { ok: true, status: res.status, body: (text ? JSON.parse(text) : null) as T };
    } catch {
      return { ok: false, status: res.status, error: `${where}: response is not JSON` };
    }
  } catch (err) {
    if (err instanceof InputTooLargeError) return { ok: false, error: `${where}: ${err.message}` };
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `timed out after ${req.timeoutMs ?? 5000}ms` : (e.cause?.code ?? e.message);
    return { ok: false, error: `${where}: ${why}` };
  }
}

/** Drops userinfo and query strings from URLs put into messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

export const joinUrl = (base: string, path: string): string => `${base.replace(/\/+$/, '')}${path}`;
