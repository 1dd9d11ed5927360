import type { JudgeName, PolicySpec } from '../schema/policy.js';
import type { Judge } from './judge-interface.js';
import { createKayentaJudge } from './kayenta-judge.js';
import { createSequentialJudge } from './sequential-judge.js';
import { createThresholdJudge } from './threshold-judge.js';

/** The three judges behind one interface, by policy name. */
export function createJudge(name: JudgeName, spec: PolicySpec, random: () => number): Judge {
  if (name === 'kayenta') return createKayentaJudge(spec, random);
  if (name === 'threshold') return createThresholdJudge(spec);
  return createSequentialJudge(spec);
}
