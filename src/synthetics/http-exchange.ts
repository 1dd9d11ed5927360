import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { NetworkErrorKind, PhaseTimings } from './results.js';

/**
 * One HTTP exchange the way blackbox_exporter measures it: a fresh connection per request (`agent: false`),
 * per-phase timings from socket events, redirects followed by hand (each hop a fresh connection, phases
 * summed), and the body read only up to a cap.
 */
export interface ExchangeRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Whole exchange, redirects included. */
  timeoutMs: number;
  maxBodyBytes: number;
  followRedirects: boolean;
  maxRedirects: number;
  insecureSkipVerify?: boolean;
  ca?: string | Buffer;
  signal?: AbortSignal;
}

export interface Exchange {
  status: number;
  httpVersion?: string;
  headers: Record<string, string>;
  body: Buffer;
  bodyTruncated: boolean;
  finalUrl: string;
  redirects: number;
  timings: PhaseTimings;
  durationMs: number;
  tls?: { authorized: boolean; validTo: string; daysValid: number; protocol?: string };
  error?: { kind: NetworkErrorKind; message: string };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function exchange(req: ExchangeRequest): Promise<Exchange> {
  const start = performance.now();
  const timings: PhaseTimings = { resolve: 0, connect: 0, tls: 0, processing: 0, transfer: 0 };
  let current = { method: req.method, url: req.url, body: req.body };
  for (let redirects = 0; ; redirects++) {
    const remaining = req.timeoutMs - (performance.now() - start);
    const hop = await single(req, current, remaining, timings);
    const done = (extra: Partial<Exchange> = {}): Exchange => ({
      ...hop,
      ...extra,
      finalUrl: current.url,
      redirects,
      timings,
      durationMs: performance.now() - start,
    });
    const location = hop.headers.location;
    if (hop.error || !req.followRedirects || !REDIRECTS.has(hop.status) || !location) return done();
    if (redirects >= req.maxRedirects) {
      return done({ error: { kind: 'too_many_redirects', message: `more than ${req.maxRedirects} redirects` } });
    }
    const toGet = hop.status === 303 || ((hop.status === 301 || hop.status === 302) && current.method === 'POST');
    current = {
      method: toGet ? 'GET' : current.method,
      url: new URL(location, current.url).toString(),
      body: toGet ? undefined : current.body,
    };
  }
}

type Hop = Omit<Exchange, 'finalUrl' | 'redirects' | 'timings' | 'durationMs'>;

function single(
  req: ExchangeRequest,
  cur: { method: string; url: string; body?: string },
  remainingMs: number,
  timings: PhaseTimings,
): Promise<Hop> {
  return new Promise((resolve) => {
    const url = new URL(cur.url);
    const isHttps = url.protocol === 'https:';
    const t0 = performance.now();
    let tLookup = t0;
    let tConnect = t0;
    let tReady = t0;
    let tFirst = 0;
    let tls: Hop['tls'];
    let settled = false;
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let response: http.IncomingMessage | undefined;
    const finish = (error?: Hop['error']): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      const end = performance.now();
      timings.resolve += tLookup - t0;
      timings.connect += Math.max(0, tConnect - tLookup);
      timings.tls += Math.max(0, tReady - tConnect);
      timings.processing += tFirst ? tFirst - tReady : Math.max(0, end - tReady);
      timings.transfer += tFirst ? end - tFirst : 0;
      resolve({
        status: response && !error ? (response.statusCode ?? 0) : (response?.statusCode ?? 0),
        httpVersion: response?.httpVersion,
        headers: flatHeaders(response?.headers ?? {}),
        body: Buffer.concat(chunks),
        bodyTruncated: truncated,
        tls,
        error,
      });
    };
    const options: https.RequestOptions = {
      method: cur.method,
      headers:
        cur.body !== undefined
          ? { ...req.headers, 'content-length': String(Buffer.byteLength(cur.body)) }
          : req.headers,
      agent: false,
      rejectUnauthorized: !req.insecureSkipVerify,
      ca: req.ca,
    };
    const r = (isHttps ? https : http).request(url, options, (res) => {
      tFirst = performance.now();
      response = res;
      res.on('data', (chunk: Buffer) => {
        if (size + chunk.length > req.maxBodyBytes) {
          chunks.push(chunk.subarray(0, req.maxBodyBytes - size));
          size = req.maxBodyBytes;
          truncated = true;
          r.destroy();
          finish();
          return;
        }
        size += chunk.length;
        chunks.push(chunk);
      });
      res.on('end', () => finish());
      res.on('error', (err) => finish(classify(err, url, remainingMs)));
      res.on('close', () =>
        finish(
          res.complete
            ? undefined
            : { kind: 'connection_reset', message: 'connection closed before the body was complete' },
        ),
      );
    });
    r.on('socket', (socket) => {
      socket.once('lookup', () => (tLookup = tConnect = tReady = performance.now()));
      socket.once('connect', () => (tConnect = tReady = performance.now()));
      socket.once('secureConnect', () => {
        tReady = performance.now();
        tls = tlsInfo(socket as TLSSocket);
      });
    });
    r.on('error', (err) => finish(classify(err, url, remainingMs)));
    const timer = setTimeout(
      () => r.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })),
      Math.max(0, remainingMs),
    );
    const onAbort = (): void => void r.destroy(Object.assign(new Error('aborted'), { code: 'EABORTED' }));
    req.signal?.addEventListener('abort', onAbort, { once: true });
    if (req.signal?.aborted) onAbort();
    r.end(cur.body);
  });
}

function tlsInfo(socket: TLSSocket): Hop['tls'] {
  const cert = socket.getPeerCertificate();
  const validTo = cert.valid_to ?? '';
  const daysValid = validTo ? (Date.parse(validTo) - Date.now()) / 86_400_000 : 0;
  return { authorized: socket.authorized, validTo, daysValid, protocol: socket.getProtocol() ?? undefined };
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO/;

function classify(err: Error, url: URL, timeoutMs: number): { kind: NetworkErrorKind; message: string } {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const host = url.hostname;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (code === 'ETIMEOUT')
    return { kind: 'timeout', message: `no complete response from ${host}:${port} within ${Math.round(timeoutMs)}ms` };
  if (code === 'EABORTED') return { kind: 'aborted', message: 'aborted' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL')
    return { kind: 'dns', message: `DNS lookup of ${host} failed (${code})` };
  if (code === 'ECONNREFUSED') return { kind: 'connection_refused', message: `connection refused by ${host}:${port}` };
  if (code === 'ECONNRESET' || code === 'EPIPE')
    return { kind: 'connection_reset', message: `connection to ${host}:${port} reset (${code})` };
  if (TLS_CODES.test(code))
    return { kind: 'tls', message: `TLS with ${host}:${port} failed: ${err.message} (${code})` };
  return { kind: 'other', message: `${err.message}${code ? ` (${code})` : ''}` };
}
