import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { parseReplayText } from '../sources/replay.js';
import { checkSuiteText } from '../synthetics/validate-suite.js';
import { parseDocumentText } from './load-document.js';
import { canaryPolicy } from './policy.js';

/**
 * Fuzzing the loaders with mangled copies of the shipped examples: whatever the damage, the answer is the
 * document or a typed input error (exit 2) — never a crash, a raw zod dump or "internal error".
 */
const example = (rel: string): string => readFileSync(new URL(`../../examples/${rel}`, import.meta.url), 'utf8');
const POLICY = example('maestro-api/canary.yaml');
const SUITE = example('maestro-api/synthetics/maestro-api-canary.yaml');
const REPLAY = example('replays/healthy.jsonl');

/** One damage: cut a range, insert text, duplicate a line, or overwrite a character. */
const mangle = (text: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.tuple(fc.nat(text.length), fc.nat(200)).map(([at, n]) => text.slice(0, at) + text.slice(at + n)),
    fc
      .tuple(
        fc.nat(text.length),
        fc.oneof(fc.string(), fc.constantFrom('*a', '&a', ': ', '- ', '{', '"', '\t', '1e400', '0s')),
      )
      .map(([at, s]) => text.slice(0, at) + s + text.slice(at)),
    fc.nat(text.split('\n').length - 1).map((i) => {
      const lines = text.split('\n');
      lines.splice(i, 0, lines[i]!);
      return lines.join('\n');
    }),
    fc
      .tuple(fc.nat(Math.max(0, text.length - 1)), fc.integer({ min: 0, max: 0x10ffff }))
      .map(([at, cp]) => text.slice(0, at) + String.fromCodePoint(cp) + text.slice(at + 1)),
  );

function expectInputError(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).exitCode).toBe(ExitCode.usage);
    expect((err as Error).message).not.toMatch(/^\s*\[\s*\{/); // not a raw zod issue list
  }
}

describe('fuzz: mangled inputs end in a typed input error', () => {
  it('policies', () => {
    fc.assert(
      fc.property(mangle(POLICY), (text) =>
        expectInputError(() => parseDocumentText(text, 'canary.yaml', canaryPolicy)),
      ),
      { numRuns: 120 },
    );
  });

  it('probe suites', () => {
    fc.assert(
      fc.property(mangle(SUITE), (text) => {
        const check = checkSuiteText(text, 'suite.yaml', { env: { TARGET_URL: 'http://x', PROBE_PASSWORD: 'p' } });
        for (const d of check.diagnostics) expect(d.line).toBeGreaterThan(0);
        return true;
      }),
      { numRuns: 120 },
    );
  });

  it('replay files', () => {
    fc.assert(
      fc.property(mangle(REPLAY), (text) => expectInputError(() => parseReplayText(text, 'r.jsonl'))),
      { numRuns: 120 },
    );
  });
});
