import { describe, expect, it } from 'vitest';
import { COMPRESSED_PREFIX, decodeStateText, encodeStateText, INLINE_MAX_BYTES } from './state-annotation.js';

describe('state annotation text', () => {
  it('stays plain JSON up to the inline limit, so kubectl shows it as is', () => {
    const json = JSON.stringify({ v: 1, pad: 'x'.repeat(INLINE_MAX_BYTES - 20) });
    expect(encodeStateText(json)).toBe(json);
    expect(decodeStateText(json)).toBe(json);
  });

  it('past it, is gzip + base64 behind the prefix, and decodes back to exactly the JSON', () => {
    const json = JSON.stringify({ intervals: Array.from({ length: 500 }, (_, seq) => ({ seq, verdict: 'pass' })) });
    const big = json.repeat(Math.ceil(INLINE_MAX_BYTES / json.length) + 1);
    const text = encodeStateText(big);
    expect(text.startsWith(COMPRESSED_PREFIX)).toBe(true);
    expect(text.length).toBeLessThan(big.length / 10);
    expect(decodeStateText(text)).toBe(big);
  });

  it('a corrupt compressed annotation reads as nothing (the controller starts over), never a crash', () => {
    expect(decodeStateText(`${COMPRESSED_PREFIX}not-gzip`)).toBe('');
  });
});
