import { annotationTags, dashboardUid } from '../render/dashboard-panels.js';
import type { PolicySpec } from '../schema/policy.js';
import { joinUrl, requestJson, type FetchLike } from './http.js';

/** Where and how to annotate; from the policy with `grafanaTarget`, or built by hand. */
export interface GrafanaTarget {
  url: string;
  token: string;
  dashboardUID: string;
}

/** spec.grafana + the token from the environment; undefined when Grafana is not configured (no annotations). */
export function grafanaTarget(spec: PolicySpec, env: NodeJS.ProcessEnv): GrafanaTarget | undefined {
  const token = env[spec.grafana.tokenEnv];
  if (!spec.grafana.url || !token) return undefined;
  return { url: spec.grafana.url, token, dashboardUID: dashboardUid(spec) };
}

export type AnnotationEvent = 'step' | 'promote' | 'rollback' | 'hold';

export interface AnnotateInput {
  grafana: GrafanaTarget;
  service: string;
  rollout: string;
  event: AnnotationEvent;
  /** Why: the verdict's reasons, shown in the annotation text. */
  reasons: string[];
  /** Epoch milliseconds of the event; `timeEnd` makes a region (e.g. a whole bake). */
  time: number;
  timeEnd?: number;
  /** Extra detail for the first line, e.g. "step 2, weight 25%, score 0.97". */
  summary?: string;
  fetch?: FetchLike;
  timeoutMs?: number;
}

export type AnnotateResult = { ok: true; id: number } | { ok: false; status?: number; error: string };

/** The body of `POST /api/annotations` (Grafana HTTP API, annotations.md). */
export function annotationBody(
  input: Omit<AnnotateInput, 'grafana' | 'fetch' | 'timeoutMs'> & { dashboardUID: string },
) {
  const head = `${input.service} ${input.rollout}: ${input.event}${input.summary ? ` (${input.summary})` : ''}`;
  return {
    dashboardUID: input.dashboardUID,
    time: input.time,
    ...(input.timeEnd !== undefined ? { timeEnd: input.timeEnd } : {}),
    tags: [...annotationTags(input.service), input.event, `rollout:${input.rollout}`],
    text: [head, ...input.reasons.map((r) => `- ${r}`)].join('\n'),
  };
}

/**
 * Marks a decision on the Canary Release Overview dashboard. Never throws; the result goes to the evidence.
 * The token is sent as a bearer token and never appears in an error.
 *
 * @example
 * const grafana = grafanaTarget(policy.spec, process.env);
 * if (grafana) record(await annotate({ grafana, service, rollout, event: 'rollback', reasons, time: now }));
 */
export async function annotate(input: AnnotateInput): Promise<AnnotateResult> {
  const { grafana } = input;
  const res = await requestJson<{ id?: unknown; message?: string }>({
    url: joinUrl(grafana.url, '/api/annotations'),
    method: 'POST',
    headers: { authorization: `Bearer ${grafana.token}` },
    body: annotationBody({ ...input, dashboardUID: grafana.dashboardUID }),
    fetch: input.fetch,
    timeoutMs: input.timeoutMs,
  });
  if (!res.ok)
    return {
      ok: false,
      ...(res.status !== undefined ? { status: res.status } : {}),
      error: res.error.replaceAll(grafana.token, '[redacted]'),
    };
  if (typeof res.body?.id !== 'number')
    return { ok: false, status: res.status, error: 'Grafana answered without an annotation id' };
  return { ok: true, id: res.body.id };
}
