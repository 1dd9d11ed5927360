import { Hono } from 'hono';
import type { ControllerView, ManualAction, RolloutSnapshot } from '../controller/view.js';
import { requireBearer } from './auth.js';
import { HttpError } from './http-error.js';

const manualActions: readonly ManualAction[] = ['promote', 'abort', 'pause', 'resume'];

/** A rollout without its long arrays: what a list needs. */
export type RolloutSummary = Omit<RolloutSnapshot, 'intervals' | 'decisions' | 'webhookDeliveries'> & {
  intervalCount: number;
  decisionCount: number;
  webhookDeliveryCount: number;
};

export function summarize(s: RolloutSnapshot): RolloutSummary {
  const { intervals, decisions, webhookDeliveries, ...rest } = s;
  return {
    ...rest,
    intervalCount: intervals.length,
    decisionCount: decisions.length,
    webhookDeliveryCount: webhookDeliveries.length,
  };
}

function mustGet(view: ControllerView, id: string): RolloutSnapshot {
  const snapshot = view.get(id);
  if (!snapshot) throw new HttpError(404, 'E_ROLLOUT_NOT_FOUND', `no rollout with id "${id}"`);
  return snapshot;
}

/** The person's name as recorded in the decision log; free text from the client, so kept to a safe shape. */
async function actorOf(req: Request): Promise<string> {
  const text = await req.text();
  if (!text.trim() || !(req.headers.get('content-type') ?? '').includes('json')) return 'user:api';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'E_BAD_REQUEST', 'request body is not valid JSON');
  }
  const actor = (body as { actor?: unknown } | null)?.actor;
  if (actor === undefined) return 'user:api';
  if (typeof actor !== 'string' || !/^[\w.@-]{1,64}$/.test(actor)) {
    throw new HttpError(400, 'E_BAD_REQUEST', 'actor must be 1-64 letters, digits, ".", "@", "_" or "-"');
  }
  return `user:${actor}`;
}

/**
 * `/api/v1/rollouts`: read-only views are open (the server listens on loopback by default); the four manual
 * actions need the bearer token.
 * @example GET /api/v1/rollouts
 *   {"data":[{"id":"maestro-api-1","phase":"progressing",...}],"pagination":{"total":1}}
 */
export function rolloutRoutes(view: ControllerView, access: { token?: string | undefined; readOnly?: true }): Hono {
  const app = new Hono();
  app.get('/', (c) => {
    const data = view.list().map(summarize);
    return c.json({ data, pagination: { total: data.length } });
  });
  app.get('/:id', (c) => c.json({ data: mustGet(view, c.req.param('id')) }));
  app.get('/:id/timeline', (c) => c.json({ data: mustGet(view, c.req.param('id')).intervals }));
  app.get('/:id/decisions', (c) => c.json({ data: mustGet(view, c.req.param('id')).decisions }));
  app.get('/:id/webhooks', (c) => c.json({ data: mustGet(view, c.req.param('id')).webhookDeliveries }));
  if (access.readOnly) {
    app.post('/:id/:action', () => {
      throw new HttpError(405, 'E_METHOD_NOT_ALLOWED', 'read-only dashboard: past rollouts cannot be changed', {
        allow: 'GET',
      });
    });
    return app;
  }
  app.post('/:id/:action', requireBearer(access.token), async (c) => {
    const action = c.req.param('action') as ManualAction;
    if (!manualActions.includes(action)) {
      throw new HttpError(400, 'E_BAD_REQUEST', `unknown action "${action}"; use one of ${manualActions.join(', ')}`);
    }
    const id = c.req.param('id');
    mustGet(view, id);
    const actor = await actorOf(c.req.raw);
    return c.json({ data: await view.act(id, action, actor) });
  });
  return app;
}
