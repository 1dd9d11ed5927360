import type { z } from 'zod';
import { canaryPolicy } from './policy.js';
import { probeSuite } from './probe-suite.js';

/**
 * Every file format we publish a JSON Schema for (`schemas/<file>`), so editors complete and check them.
 * `npm run schemas` regenerates the files; a unit test fails when a committed schema is stale.
 */
export const publishedSchemas: { file: string; title: string; schema: z.ZodType }[] = [
  { file: 'canary-policy.schema.json', title: 'adaptive-canary CanaryPolicy (canary.yaml)', schema: canaryPolicy },
  { file: 'probe-suite.schema.json', title: 'syntheticsctl ProbeSuite (synthetics/*.yaml)', schema: probeSuite },
];
