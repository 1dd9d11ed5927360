import type { z } from 'zod';
import { decisionRecord, evidenceRecord, rolloutMeta, webhookDelivery, webhookPayload } from './evidence.js';
import { canaryPolicy } from './policy.js';
import { probeSuite } from './probe-suite.js';
import { replayHeader, replayLine } from './replay.js';

/**
 * Every file format we publish a JSON Schema for (`schemas/<file>`), so editors complete and check them.
 * `npm run schemas` regenerates the files; a unit test fails when a committed schema is stale.
 */
export const publishedSchemas: { file: string; title: string; schema: z.ZodType }[] = [
  { file: 'canary-policy.schema.json', title: 'adaptive-canary CanaryPolicy (canary.yaml)', schema: canaryPolicy },
  { file: 'probe-suite.schema.json', title: 'syntheticsctl ProbeSuite (synthetics/*.yaml)', schema: probeSuite },
  {
    file: 'evidence-record.schema.json',
    title: 'adaptive-canary evidence record (.evidence/<service>/<rollout>/decisions.jsonl, one per line)',
    schema: evidenceRecord,
  },
  {
    file: 'evidence-decision.schema.json',
    title: 'adaptive-canary decision record (decisions.jsonl, kind=decision)',
    schema: decisionRecord,
  },
  {
    file: 'evidence-meta.schema.json',
    title: 'adaptive-canary rollout meta (.evidence/<service>/<rollout>/meta.json)',
    schema: rolloutMeta,
  },
  {
    file: 'webhook-delivery.schema.json',
    title: 'adaptive-canary webhook delivery record (webhooks.jsonl, one per line)',
    schema: webhookDelivery,
  },
  { file: 'webhook-payload.schema.json', title: 'adaptive-canary webhook payload (POST body)', schema: webhookPayload },
  {
    file: 'replay-header.schema.json',
    title: 'adaptive-canary replay file, first line (JSON Lines)',
    schema: replayHeader,
  },
  {
    file: 'replay-interval.schema.json',
    title: 'adaptive-canary replay file, one interval per line after the header',
    schema: replayLine,
  },
];
