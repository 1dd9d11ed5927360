import type { SuiteResult } from '../results.js';
import { junitReport } from './junit.js';
import { listReport } from './list.js';

export const REPORTERS = ['list', 'json', 'junit'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** Renders a (already redacted) suite result in one of the supported formats. */
export function renderReport(name: ReporterName, result: SuiteResult): string {
  if (name === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  if (name === 'junit') return junitReport(result);
  return listReport(result);
}
