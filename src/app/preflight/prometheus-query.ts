import { UnreachableError } from '../../errors.js';
import { INPUT_LIMITS } from '../../schema/input-limits.js';
import { readLimitedBody } from '../../read-input.js';

/** One instant query against Prometheus' HTTP API; the first sample's value, or undefined for an empty result. */
export async function instantQuery(
  fetchFn: typeof fetch,
  baseUrl: string,
  promql: string,
  timeoutMs = 10_000,
): Promise<number | undefined> {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(promql)}`;
  let res: Response;
  try {
    res = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new UnreachableError('Prometheus', `${baseUrl}: ${(err as Error).message}`, { cause: err });
  }
  const text = await readLimitedBody(res, INPUT_LIMITS.prometheusResponse, `the Prometheus response from ${baseUrl}`);
  const body = (parseJson(text) ?? {}) as {
    status?: string;
    error?: string;
    data?: { result?: { value?: [number, string] }[] };
  };
  if (!res.ok || body.status !== 'success')
    throw new UnreachableError('Prometheus', `query failed (${res.status}): ${body.error ?? 'no error text'}`);
  const value = body.data?.result?.[0]?.value?.[1];
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
