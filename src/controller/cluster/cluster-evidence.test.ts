import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rolloutDir } from '../../evidence/paths.js';
import { policySpec } from '../../schema/policy.js';
import type { StoredInterval } from '../state-store.js';
import { ClusterEvidence } from './cluster-evidence.js';
import type { EvidenceConfigMaps, EvidenceOwner } from './evidence-configmaps.js';
import { INTERVALS_KEY, joinSegments, type Segment } from './evidence-segments.js';

const owner: EvidenceOwner = {
  rolloutId: 'shop.maestro-api.c4n4ry',
  service: 'maestro-api',
  namespace: 'shop',
  name: 'x',
};
const policy = policySpec.parse({ service: 'maestro-api' });
const interval = (seq: number, t = seq): StoredInterval =>
  ({ seq, observation: { t, weight: 10, baseline: null, canary: null }, assessment: {}, point: {} }) as StoredInterval;
const lines = (...xs: StoredInterval[]): string => xs.map((x) => `${JSON.stringify(x)}\n`).join('');

/** The ConfigMaps as a list of segments; records every write's changed segments. */
function fakeStore(segments: Segment[]): { store: EvidenceConfigMaps; writes: Segment[][] } {
  const writes: Segment[][] = [];
  let held = segments;
  const store = {
    list: () => Promise.resolve([{ owner, segments: held, files: joinSegments(held) }]),
    writeSegments: (_o: EvidenceOwner, _known: Segment[], changed: Segment[]) => {
      if (changed.length) writes.push(changed);
      const byIndex = new Map(held.map((s) => [s.index, s]));
      for (const s of changed) byIndex.set(s.index, { ...s, resourceVersion: String(writes.length) });
      held = [...byIndex.values()].sort((a, b) => a.index - b.index);
      return Promise.resolve(held.map((s) => ({ ...s })));
    },
  };
  return { store: store as unknown as EvidenceConfigMaps, writes };
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function open(segments: Segment[]) {
  const workDir = mkdtempSync(join(tmpdir(), 'cluster-evidence-'));
  dirs.push(workDir);
  const { store, writes } = fakeStore(segments);
  const evidence = await ClusterEvidence.open({
    store,
    owner,
    policy,
    workDir,
    secrets: [],
    versions: { stable: 'st4b1e', canary: 'c4n4ry' },
    fence: () => true,
  });
  const file = join(rolloutDir(join(workDir, '.evidence'), policy.service, owner.rolloutId), INTERVALS_KEY);
  return { evidence, writes, file };
}

describe('ClusterEvidence intervals', () => {
  it("reads intervals 1…n as the cluster holds them; a later line for a seq replaces an orphan's", async () => {
    // seq 3 twice: a leader uploaded it and died before its state write; the next leader wrote its own seq 3.
    const text = lines(interval(1), interval(2), interval(3, 99), interval(3));
    const { evidence } = await open([{ index: 1, data: { [INTERVALS_KEY]: text }, resourceVersion: '1' }]);
    expect(evidence.intervals(3).map((i) => [i.seq, i.observation.t])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(() => evidence.intervals(4)).toThrow(/counts 4 intervals but the evidence ConfigMaps lack interval 4/);
    evidence.close();
  });

  it('uploads only what was appended since the last flush, and nothing when nothing changed', async () => {
    const first = lines(interval(1), interval(2));
    const { evidence, writes } = await open([{ index: 1, data: { [INTERVALS_KEY]: first }, resourceVersion: '1' }]);
    await evidence.flush();
    writes.length = 0; // the first flush uploads the log files opening wrote (meta.json)
    await evidence.flush();
    expect(writes).toEqual([]);
    evidence.appendIntervals([interval(3)]);
    await evidence.flush();
    expect(writes).toHaveLength(1);
    expect(writes[0]![0]!.data[INTERVALS_KEY]).toBe(first + lines(interval(3)));
    evidence.close();
  });

  it('refuses to upload a working copy that no longer extends what the cluster holds', async () => {
    const held = lines(interval(1), interval(2));
    const { evidence, file } = await open([{ index: 1, data: { [INTERVALS_KEY]: held }, resourceVersion: '1' }]);
    writeFileSync(file, lines(interval(1)) + lines(interval(9)).slice(0, -1) + 'x\n'); // same length, rewritten
    await expect(evidence.flush()).rejects.toThrow(/no longer extends what the cluster holds/);
    writeFileSync(file, lines(interval(1))); // cut
    await expect(evidence.flush()).rejects.toThrow(/no longer extends what the cluster holds/);
    evidence.close();
  });
});
