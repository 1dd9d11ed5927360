import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { CRITERIA_PREFIX, criteriaFromPolicy, PROMOTION_CRITERIA } from '../../render/promotion-criteria.js';
import { rolloutName } from '../../render/rollout.js';
import type { CheckResult, PreflightContext } from './check.js';
import { readTextFile } from '../../read-input.js';

/**
 * ADR 0002's machine-readable block — a fenced ```yaml block with `promotionCriteria:` — as name → string.
 * Numbers are compared as written by String(), so `0.10` and `0.1` agree.
 */
export function criteriaFromAdr(markdown: string): Record<string, string> | undefined {
  for (const m of markdown.matchAll(/```ya?ml\r?\n([\s\S]*?)```/g)) {
    const doc = parse(m[1]!) as { promotionCriteria?: Record<string, unknown> } | null;
    if (doc?.promotionCriteria && typeof doc.promotionCriteria === 'object') {
      return Object.fromEntries(Object.entries(doc.promotionCriteria).map(([k, v]) => [k, String(v)]));
    }
  }
  return undefined;
}

function rolloutAnnotations(text: string, name: string): Record<string, string> | undefined {
  const ro = parseAllDocuments(text)
    .map(
      (d) => d.toJS() as { kind?: string; metadata?: { name?: string; annotations?: Record<string, string> } } | null,
    )
    .find((d) => d?.kind === 'Rollout' && d.metadata?.name === name);
  if (!ro) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ro.metadata?.annotations ?? {})) {
    if (k.startsWith(CRITERIA_PREFIX)) out[k.slice(CRITERIA_PREFIX.length)] = String(v);
  }
  return out;
}

export function checkPromotionCriteria(ctx: PreflightContext): CheckResult {
  const name = 'promotion-criteria';
  const p = ctx.policy.spec.preflight;
  const adrFile = join(ctx.policyDir, p.adr);
  const manifestFile = join(ctx.policyDir, p.manifest);
  const adr = criteriaFromAdr(readTextFile(adrFile));
  if (!adr) return { name, status: 'fail', reason: `${p.adr} has no \`\`\`yaml block with promotionCriteria:` };
  const annotations = rolloutAnnotations(readTextFile(manifestFile), rolloutName(ctx.policy));
  if (!annotations)
    return { name, status: 'fail', reason: `${p.manifest} has no Rollout named ${rolloutName(ctx.policy)}` };
  const policy = criteriaFromPolicy(ctx.policy.spec);
  const drift: string[] = [];
  for (const c of PROMOTION_CRITERIA) {
    const values = { adr: adr[c.name], policy: policy[c.name], annotation: annotations[c.name] };
    if (values.adr === values.policy && values.policy === values.annotation) continue;
    const show = (v: string | undefined): string => (v === undefined ? '(missing)' : JSON.stringify(v));
    drift.push(
      `${c.name}: ADR 0002 ${show(values.adr)}, policy ${c.policyPath} ${show(values.policy)}` +
        `, ${p.manifest} annotation ${CRITERIA_PREFIX}${c.name} ${show(values.annotation)}`,
    );
  }
  const details = { criteria: PROMOTION_CRITERIA.length, adr, policy, annotations };
  if (drift.length > 0)
    return { name, status: 'fail', reason: `drift in ${drift.length} field(s): ${drift.join('; ')}`, details };
  return {
    name,
    status: 'pass',
    reason: `ADR 0002, the policy and ${p.manifest} agree on all ${PROMOTION_CRITERIA.length} criteria`,
    details,
  };
}
