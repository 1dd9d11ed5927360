import { parse } from 'yaml';
import { AppError, errorMessage } from '../../errors.js';
import { canaryPolicy, policySpec, type PolicySpec } from '../../schema/policy.js';

/** A Rollout opts in with this annotation: the CanaryPolicy (YAML or JSON, whole document or just `spec`). */
export const POLICY_ANNOTATION = 'adaptive-canary.dev/policy';

export function policyFromAnnotation(text: string, where: string): PolicySpec {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new AppError('E_POLICY_ANNOTATION', `${where}: ${POLICY_ANNOTATION} is not YAML/JSON: ${errorMessage(err)}`);
  }
  const isDocument = typeof doc === 'object' && doc !== null && 'kind' in doc;
  const result = isDocument ? canaryPolicy.safeParse(doc) : policySpec.safeParse(doc);
  if (!result.success)
    throw new AppError(
      'E_POLICY_ANNOTATION',
      `${where}: invalid ${POLICY_ANNOTATION}: ` +
        `${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return 'spec' in result.data ? result.data.spec : result.data;
}
