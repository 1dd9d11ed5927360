import { AppError, UnreachableError, UsageError } from '../errors.js';
import type { ManualAction, RolloutSnapshot } from '../controller/view.js';

/**
 * The other side of `/api/v1`: what `adaptive-canary promote|abort|pause|resume` call on a running controller
 * (`demo`, `run` or `serve`). Errors keep the server's stable code.
 */
export async function requestManualAction(req: {
  server: string;
  rolloutId: string;
  action: ManualAction;
  token: string | undefined;
  actor: string;
  timeoutMs?: number;
}): Promise<RolloutSnapshot> {
  if (!req.token) throw new UsageError('set ADAPTIVE_CANARY_TOKEN to the token the controller was started with');
  const url = new URL(`api/v1/rollouts/${encodeURIComponent(req.rolloutId)}/${req.action}`, withSlash(req.server));
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${req.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ actor: req.actor }),
      signal: AbortSignal.timeout(req.timeoutMs ?? 30_000),
    });
  } catch (err) {
    throw new UnreachableError(`controller at ${url.origin}`, (err as Error).message, { cause: err });
  }
  const body = (await res.json().catch(() => ({}))) as {
    data?: RolloutSnapshot;
    error?: { code: string; message: string };
  };
  if (res.ok && body.data) return body.data;
  const code = body.error?.code ?? `E_HTTP_${res.status}`;
  const message = body.error?.message ?? `HTTP ${res.status}`;
  // 4xx other than auth are the user's mistake (unknown rollout, already finished); auth failures are checks.
  throw new AppError(code, message, res.status === 401 || res.status === 403 || res.status >= 500 ? 1 : 2);
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
