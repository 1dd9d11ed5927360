import { describe, expect, it } from 'vitest';
import { bearerToken, tokensEqual } from './auth.js';

describe('tokensEqual', () => {
  it('accepts only the identical token, whatever the lengths', () => {
    expect(tokensEqual('abc123', 'abc123')).toBe(true);
    expect(tokensEqual('abc124', 'abc123')).toBe(false);
    expect(tokensEqual('abc', 'abc123')).toBe(false);
    expect(tokensEqual('', 'abc123')).toBe(false);
  });

  it('compares in constant time (timingSafeEqual over equal-length digests)', async () => {
    // Behavioural proxy: the comparison never throws on different lengths, which a naive
    // timingSafeEqual(Buffer.from(a), Buffer.from(b)) would, and leaks nothing through an early return.
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('./auth.ts', import.meta.url), 'utf8');
    expect(source).toMatch(/timingSafeEqual\(a, b\)/);
    expect(source).not.toMatch(/presented\s*===\s*expected/);
    expect(() => tokensEqual('x'.repeat(10_000), 'y')).not.toThrow();
  });
});

describe('bearerToken', () => {
  it('extracts the token of a Bearer header only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
