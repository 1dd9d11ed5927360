import { describe, expect, it } from 'vitest';
import {
  CONFIGMAP_MAX_BYTES,
  SEGMENT_LINE_BYTES,
  joinSegments,
  planSegments,
  segmentName,
  type Segment,
} from './evidence-segments.js';

const line = (n: number, size = 1000): string => `${JSON.stringify({ seq: n, pad: 'x'.repeat(size) })}\n`;
const bytes = (s: Segment): number => Object.values(s.data).reduce((n, v) => n + Buffer.byteLength(v), 0);

/** Applies planned writes the way the API server stores them. */
function apply(stored: Segment[], writes: Segment[]): Segment[] {
  const byIndex = new Map(stored.map((s) => [s.index, s]));
  for (const w of writes) byIndex.set(w.index, w);
  return [...byIndex.values()];
}

describe('evidence segments (ConfigMaps of at most 1 MiB)', () => {
  it('appends to the last segment, rolls over when full, and joins back to exactly the files', () => {
    let stored: Segment[] = [];
    let decisions = '';
    for (let n = 1; n <= 100; n++) {
      decisions += line(n, 25_000);
      const head = `{"seq":${n}}\n`;
      const writes = planSegments(stored, { 'decisions.jsonl': decisions, 'head.json': head, 'meta.json': '{}' });
      // One interval changes one segment, or two when it starts a new one.
      expect(writes.length).toBeGreaterThanOrEqual(1);
      expect(writes.length).toBeLessThanOrEqual(2);
      stored = apply(stored, writes);
      expect(joinSegments(stored)).toMatchObject({ 'decisions.jsonl': decisions, 'head.json': head });
    }
    expect(stored.length).toBeGreaterThanOrEqual(3);
    for (const s of stored) expect(bytes(s)).toBeLessThanOrEqual(CONFIGMAP_MAX_BYTES);
    // Only the last segment carries the anchor and the write-ups: a full one keeps only its lines.
    const last = Math.max(...stored.map((s) => s.index));
    for (const s of stored) expect('head.json' in s.data).toBe(s.index === last);
    expect(stored.filter((s) => s.index !== last).every((s) => bytes(s) <= SEGMENT_LINE_BYTES)).toBe(true);
  });

  it('writes nothing when nothing changed, and refuses a chain that no longer extends the stored one', () => {
    const files = { 'decisions.jsonl': line(1) + line(2), 'head.json': '{"seq":2}' };
    const stored = apply([], planSegments([], files));
    expect(planSegments(stored, files)).toEqual([]);
    expect(() => planSegments(stored, { 'decisions.jsonl': line(1) })).toThrow(/no longer extends/);
  });

  it('leaves out a torn last line (never acknowledged) until it is whole', () => {
    const stored = apply([], planSegments([], { 'decisions.jsonl': `${line(1)}{"seq":2,"pa` }));
    expect(joinSegments(stored)['decisions.jsonl']).toBe(line(1));
  });

  it('names segments by a digest of the rollout id (valid ConfigMap names, whatever the id)', () => {
    expect(segmentName('shop.maestro-api.6d4f9b7c8', 1)).toMatch(/^adaptive-canary-evidence-[0-9a-f]{20}-0001$/);
  });
});
