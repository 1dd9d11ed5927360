import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { parseDocumentText } from './load-document.js';
import { canaryPolicy, defaultPolicySpec } from './policy.js';

describe('canary policy', () => {
  it('fills the playbook defaults', () => {
    const spec = defaultPolicySpec('maestro-api');
    expect(spec.promotion.minScore).toBe(0.95);
    expect(spec.promotion.synthetic).toMatchObject({ minScore: 0.95, consecutive: 2 });
    expect(spec.promotion.errorBudget.maxBurn).toBe(0.1);
    expect(spec.judge).toBe('sequential');
    expect(spec.interval).toBe(10_000);
  });

  it('reports every problem with line and column', () => {
    const text = [
      'apiVersion: adaptive-canary/v1',
      'kind: CanaryPolicy',
      'metadata: {name: x}',
      'spec:',
      '  service: maestro-api',
      '  interval: soon',
      '  judge: magic',
      '  colour: blue',
    ].join('\n');
    try {
      parseDocumentText(text, 'canary.yaml', canaryPolicy);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const diags = (err as ConfigError).diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);
      expect(diags).toEqual([
        '6:13 spec.interval: not a duration: "soon" (use e.g. 500ms, 30s, 5m, 7d)',
        '7:10 spec.judge: must be one of "sequential", "kayenta", "threshold", got the text "magic"',
        '8:3 unknown field "colour" in spec',
      ]);
    }
  });

  it('reports YAML syntax errors with their position', () => {
    expect(() => parseDocumentText('spec: [unclosed\n', 'p.yaml', canaryPolicy)).toThrow(
      /p\.yaml:\d+:\d+: error: YAML syntax/,
    );
  });
});
