import { describe, expect, it } from 'vitest';
import { ANY_VALUE, canaryAlertLabelSets } from '../render/alert-catalog.js';
import { mutedAlerts } from './alertmanager-client.js';
import { compileMatcherRegex, matcherMatches, silenceMatchesLabels } from './silence-matchers.js';

const eq = (name: string, value: string, isEqual = true) => ({ name, value, isRegex: false, isEqual });
const re = (name: string, value: string, isEqual = true) => ({ name, value, isRegex: true, isEqual });

describe('silence matchers (Alertmanager semantics)', () => {
  it('anchors regexes like Alertmanager', () => {
    expect(matcherMatches(re('service', 'maestro'), 'maestro-api')).toBe(false);
    expect(matcherMatches(re('service', 'maestro.*'), 'maestro-api')).toBe(true);
    expect(matcherMatches(re('service', 'a|maestro-api'), 'maestro-api')).toBe(true);
  });

  it('treats a missing label as the empty string', () => {
    expect(matcherMatches(eq('team', ''), undefined)).toBe(true);
    expect(matcherMatches(eq('team', 'x', false), undefined)).toBe(true);
    expect(matcherMatches(re('team', '.+'), undefined)).toBe(false);
  });

  it('negates with isEqual=false and supports (?i)', () => {
    expect(matcherMatches(re('severity', 'page', false), 'ticket')).toBe(true);
    expect(matcherMatches(re('severity', '(?i)PAGE'), 'page')).toBe(true);
  });

  it('assumes a label of unknown value (the rollout) may match', () => {
    expect(matcherMatches(eq('rollout', 'r-42'), ANY_VALUE)).toBe(true);
    expect(matcherMatches(eq('rollout', 'r-42', false), ANY_VALUE)).toBe(true);
  });

  it('treats an unreadable regex as matching, for a person to look at', () => {
    expect(compileMatcherRegex('(?P<x>a)')).toBeUndefined();
    expect(matcherMatches(re('service', '(?P<x>a)'), 'maestro-api')).toBe(true);
  });

  it('needs every matcher to match, and never matches with no matchers', () => {
    const labels = { alertname: 'CanaryNoData', service: 'maestro-api' };
    expect(silenceMatchesLabels([eq('service', 'maestro-api'), eq('alertname', 'CanaryNoData')], labels)).toBe(true);
    expect(silenceMatchesLabels([eq('service', 'maestro-api'), eq('alertname', 'Other')], labels)).toBe(false);
    expect(silenceMatchesLabels([], labels)).toBe(false);
  });

  it('finds which of our alerts a silence mutes', () => {
    const sets = canaryAlertLabelSets('maestro-api', 'r1');
    expect(mutedAlerts({ matchers: [eq('service', 'other')] }, sets)).toEqual([]);
    expect(mutedAlerts({ matchers: [re('service', 'maestro-.*'), eq('severity', 'ticket')] }, sets)).toEqual([
      'ServiceErrorBudgetBurn',
      'CanaryRolledBack',
      'CanaryAnalysisStuck',
      'CanaryNoData',
    ]);
    expect(mutedAlerts({ matchers: [eq('rollout', 'r2')] }, sets)).toEqual([]);
    expect(mutedAlerts({ matchers: [eq('rollout', 'r2')] }, canaryAlertLabelSets('maestro-api'))).toContain(
      'CanaryRollbackInProgress',
    );
    expect(mutedAlerts({ matchers: [eq('component', 'canary')] }, sets)).toEqual(['CanaryErrorBudgetBurn']);
  });
});
