import { z } from 'zod';
import { reason, verdict } from './reason.js';

/**
 * The evidence formats (docs/interfaces.md, "Evidence", "Webhooks"): the single source of their types and their JSON
 * Schemas. Records are append-only and hash-chained, so fields may be added but never renamed or removed.
 * Numbers that JSON cannot carry (NaN, ±Infinity) are written as null, hence `.nullable()` on statistics.
 */
const iso = z.string().min(1);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');

export const decisionAction = z.enum(['start', 'step', 'hold', 'promote', 'rollback', 'pause', 'resume']);
export const rolloutOutcome = z.enum(['promoted', 'rolled-back']);

const chainFields = {
  /** Format version of the record. */
  v: z.literal(1),
  /** 1-based position in decisions.jsonl; consecutive. */
  seq: z.number().int().positive(),
  at: iso,
  service: z.string(),
  rolloutId: z.string(),
  /** `hash` of the previous record; 64 zeros for the first. */
  prevHash: sha256Hex,
  /** SHA-256 of this record's canonical JSON without the `hash` field. */
  hash: sha256Hex,
};

/** One decision of the controller: its inputs, verdict and reasons (a `DecisionPoint` plus what led to it). */
export const decisionRecord = z.object({
  ...chainFields,
  kind: z.literal('decision'),
  action: decisionAction,
  step: z.number().int().nonnegative(),
  weight: z.number().min(0).max(100),
  score: z.number().nullable(),
  /** "judge", "rule:<name>", "user:<name>", "drill". */
  by: z.string(),
  verdict: verdict.optional(),
  reasons: z.array(reason),
  rule: z.string().optional(),
  /** Share of the period's error budget the canary consumed so far (0..1). */
  budgetBurn: z.number().nullable().optional(),
  /** What the judge saw (observations, window, policy excerpt). Redacted before writing. */
  inputs: z.record(z.string(), z.unknown()).optional(),
});

/** A person's later judgement on a finished rollout (`evidence mark`), chained like the decisions. */
export const markRecord = z.object({
  ...chainFields,
  kind: z.literal('mark'),
  /** The rollback should not have happened (the canary was healthy). */
  falseAbort: z.boolean().optional(),
  /** The incident review is done. */
  resolved: z.boolean().optional(),
  why: z.string(),
  by: z.string().optional(),
});

/** The end of a rollout; anchors the outcome and the rollback duration inside the chain. */
export const finishRecord = z.object({
  ...chainFields,
  kind: z.literal('finish'),
  outcome: rolloutOutcome,
  /** Seconds from the rollback decision until the actuator confirmed 100% stable. */
  rollbackDurationSeconds: z.number().nonnegative().nullable(),
  /** Seconds from start (or fault onset) to the final decision. */
  timeToDecideSeconds: z.number().nonnegative().nullable(),
  budgetBurn: z.number().nullable().optional(),
});

/**
 * Something the controller noticed that is not a decision, chained with the decisions: the silence check before
 * the start, a rollback alert or a Grafana annotation that failed, a manifest let through unsigned.
 */
export const noteRecord = z.object({
  ...chainFields,
  kind: z.literal('note'),
  /** What it is about: `silence-check`, `rollback-alert`, `annotation`, `signature`, ... */
  topic: z.string(),
  level: z.enum(['info', 'warning', 'error']),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const evidenceRecord = z.discriminatedUnion('kind', [decisionRecord, markRecord, finishRecord, noteRecord]);

/** `meta.json`: a convenience index of one rollout, rewritten at start, finish and mark. The chain is the truth. */
export const rolloutMeta = z.object({
  v: z.literal(1),
  service: z.string(),
  rolloutId: z.string(),
  versions: z.object({ stable: z.string().optional(), canary: z.string().optional() }).default({}),
  /** SHA-256 of the policy document the rollout ran under. */
  policyDigest: z.string().optional(),
  startedAt: iso,
  finishedAt: iso.nullable().default(null),
  outcome: rolloutOutcome.nullable().default(null),
  rollbackDurationSeconds: z.number().nullable().default(null),
  timeToDecideSeconds: z.number().nullable().default(null),
  falseAbort: z.object({ why: z.string(), at: iso, by: z.string().optional() }).nullable().default(null),
  resolved: z.object({ why: z.string(), at: iso }).nullable().default(null),
  /** seq and hash of the last record, also written to head.json after every append (detects tail truncation). */
  head: z.object({ seq: z.number().int().nonnegative(), hash: sha256Hex }).optional(),
});

export const webhookEvent = z.enum(['promote', 'rollback', 'step', 'hold']);

/** The JSON body of every webhook POST. Signed: `X-Adaptive-Canary-Signature: sha256=<hex HMAC of the raw body>`. */
export const webhookPayload = z.object({
  /** Same value as the `X-Adaptive-Canary-Delivery` header; identical across retries, so receivers drop duplicates. */
  deliveryId: z.string().min(1),
  event: webhookEvent,
  service: z.string(),
  rolloutId: z.string(),
  step: z.number().int().nonnegative(),
  weight: z.number(),
  score: z.number().nullable(),
  reasons: z.array(reason),
  /** The event in one line a person reads (chat tools show a `text` field as is): what happened and why. */
  text: z.string().optional(),
  at: iso,
  /** The evidence record this event reports (seq and SHA-256 of it): an outside copy that anchors the chain. */
  evidence: z.object({ seq: z.number().int().nonnegative(), hash: sha256Hex }).optional(),
});

export const deliveryAttempt = z.object({
  attempt: z.number().int().positive(),
  startedAt: iso,
  durationMs: z.number().nonnegative(),
  /** HTTP status, absent when no response arrived. */
  status: z.number().int().optional(),
  /** "timeout", "ECONNREFUSED", ... when no response arrived. */
  error: z.string().optional(),
});

/** One line of `webhooks.jsonl`: how one event reached (or failed to reach) one receiver. */
export const webhookDelivery = z.object({
  v: z.literal(1),
  deliveryId: z.string(),
  event: webhookEvent,
  url: z.string(),
  /** delivered = 2xx; failed = gave up (retries exhausted or a 4xx); abandoned = still retrying at shutdown. */
  outcome: z.enum(['delivered', 'failed', 'abandoned']),
  status: z.number().int().nullable(),
  attempts: z.array(deliveryAttempt),
  firstAttemptAt: iso,
  finishedAt: iso,
  totalMs: z.number().nonnegative(),
});

export type DecisionRecord = z.infer<typeof decisionRecord>;
export type MarkRecord = z.infer<typeof markRecord>;
export type FinishRecord = z.infer<typeof finishRecord>;
export type NoteRecord = z.infer<typeof noteRecord>;
export type EvidenceRecord = z.infer<typeof evidenceRecord>;
export type RolloutMeta = z.infer<typeof rolloutMeta>;
export type RolloutOutcome = z.infer<typeof rolloutOutcome>;
export type WebhookEvent = z.infer<typeof webhookEvent>;
export type WebhookPayload = z.infer<typeof webhookPayload>;
export type WebhookDelivery = z.infer<typeof webhookDelivery>;
export type DeliveryAttempt = z.infer<typeof deliveryAttempt>;

export const GENESIS_HASH = '0'.repeat(64);
