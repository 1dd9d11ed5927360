import { Hono } from 'hono';
import type { ControllerView, RolloutSnapshot } from '../controller/view.js';
import { HttpError } from './http-error.js';

/**
 * Finds the rollout Argo asks about. Argo knows its Rollout's name (and namespace), not our rollout ids, so
 * an exact id wins, then `namespace/name`, then the most recently started rollout of the service by that name.
 */
export function findRollout(view: ControllerView, name: string, namespace?: string): RolloutSnapshot | undefined {
  const exact = (namespace && view.get(`${namespace}/${name}`)) || view.get(name);
  if (exact) return exact;
  return view
    .list()
    .filter((s) => s.service === name)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
}

/**
 * The body Argo's `web` metric provider reads; e.g. `jsonPath: "{$.data.score}"`, `successCondition: result >= 0.95`.
 */
export function analysisBody(s: RolloutSnapshot): unknown {
  return {
    data: {
      rollout: s.id,
      service: s.service,
      phase: s.phase,
      step: s.step,
      weight: s.weight,
      score: s.score,
      minScore: s.minScore,
      verdict: s.verdict,
      reasons: s.reasons,
      updatedAt: s.updatedAt,
    },
  };
}

/**
 * `/api/v1/analysis/<rollout>` and `/api/v1/analysis/<namespace>/<rollout>`.
 * @example GET /api/v1/analysis/maestro-api → {"data":{"score":0.97,"verdict":"pass","reasons":[...],...}}
 */
export function analysisRoutes(view: ControllerView): Hono {
  const app = new Hono();
  const answer = (name: string, namespace?: string): unknown => {
    const s = findRollout(view, name, namespace);
    if (!s)
      throw new HttpError(404, 'E_ROLLOUT_NOT_FOUND', `no rollout named "${namespace ? `${namespace}/` : ''}${name}"`);
    return analysisBody(s);
  };
  app.get('/:rollout', (c) => c.json(answer(c.req.param('rollout'))));
  app.get('/:namespace/:rollout', (c) => c.json(answer(c.req.param('rollout'), c.req.param('namespace'))));
  return app;
}
