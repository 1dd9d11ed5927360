import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { httpStatus } from '../../actuators/argo/retry.js';
import type { HeadSigner } from '../../evidence/head-signature.js';
import { prBodyPath, rolloutDir } from '../../evidence/paths.js';
import type { PolicySpec } from '../../schema/policy.js';
import { AppError, errorMessage } from '../../errors.js';
import { EvidenceLogSink } from '../evidence-sink.js';
import type { Notifier, NotifyOutcome } from '../ports.js';
import type { StoredInterval } from '../state-store.js';
import type { EvidenceConfigMaps, EvidenceOwner } from './evidence-configmaps.js';
import {
  APPEND_KEYS,
  INTERVALS_KEY,
  planAppend,
  PR_BODY_KEY,
  SMALL_KEYS,
  type AppendKey,
  type EvidenceFiles,
  type Segment,
  type Tails,
} from './evidence-segments.js';

/** The evidence id of one canary revision of a Rollout: namespaces have no dots and hashes none, so it parses back. */
export function clusterRolloutId(namespace: string, name: string, canaryHash: string): string {
  return `${namespace}.${name}.${canaryHash}`;
}

export interface ClusterEvidenceOptions {
  store: EvidenceConfigMaps;
  owner: EvidenceOwner;
  policy: PolicySpec;
  /** Local working copy (`serve --evidence-dir`): `.evidence/` and `.prbodies/` are laid out under it. */
  workDir: string;
  secrets: string[];
  versions: { stable: string; canary: string };
  /** Writes only while this holds (the Lease). */
  fence: () => boolean;
  /** Signs head.json (`serve --evidence-key`); the signed head travels to the ConfigMaps with it. */
  signHead?: HeadSigner | undefined;
}

/**
 * One rollout's evidence on a cluster: the laptop's hash-chained log (EvidenceLogSink, unchanged) on a local
 * working copy, and that copy mirrored into ConfigMaps — the cluster's record, which a new leader downloads
 * before it continues the chain. `flush()` uploads what changed; serve calls it before every state write, so
 * the state annotation never marks a record written that the cluster does not hold (a crash in between makes
 * the next leader write it again: a duplicate, never a gap).
 */
export class ClusterEvidence {
  private segments: Segment[] = [];
  /** Bytes of each append-only file the cluster holds: a flush reads and sends only what follows. */
  private held = {} as Record<AppendKey, number>;
  private flushing: Promise<void> = Promise.resolve();

  private constructor(
    readonly sink: EvidenceLogSink,
    private readonly options: ClusterEvidenceOptions,
    stored: Segment[],
    private readonly files: Record<keyof EvidenceFiles, string>,
  ) {
    this.hold(stored);
  }

  static async open(options: ClusterEvidenceOptions): Promise<ClusterEvidence> {
    const root = join(options.workDir, '.evidence');
    const prRoot = join(options.workDir, '.prbodies');
    const dir = rolloutDir(root, options.policy.service, options.owner.rolloutId);
    const files = localFiles(dir, prBodyPath(prRoot, options.owner.rolloutId));
    const [found] = await options.store.list({ rolloutId: options.owner.rolloutId });
    // The cluster is the record: whatever this replica kept locally from an earlier term is replaced by it.
    rmSync(dir, { recursive: true, force: true });
    rmSync(files[PR_BODY_KEY], { force: true });
    for (const [key, text] of Object.entries(found?.files ?? {}) as [keyof EvidenceFiles, string][]) {
      mkdirSync(dirname(files[key]), { recursive: true });
      writeFileSync(files[key], text);
    }
    const sink = await EvidenceLogSink.open(
      {
        root,
        prRoot,
        service: options.policy.service,
        rolloutId: options.owner.rolloutId,
        redact: { secrets: options.secrets },
        versions: options.versions,
        ...(options.signHead ? { signHead: options.signHead } : {}),
      },
      options.policy,
    );
    return new ClusterEvidence(sink, options, found?.segments ?? [], files);
  }

  /**
   * Uploads the working copy's changes (serialised; a failure throws and the next flush tries again). Resolves
   * true once the cluster holds everything written so far, false when this replica may not write (no Lease).
   */
  flush(): Promise<boolean> {
    const run = this.flushing.then(async () => {
      if (!this.options.fence()) return false;
      const small: EvidenceFiles = {};
      for (const key of SMALL_KEYS) if (existsSync(this.files[key])) small[key] = readFileSync(this.files[key], 'utf8');
      const tails: Tails = {};
      for (const key of APPEND_KEYS) tails[key] = wholeLines(readFrom(this.files[key], this.held[key]));
      const { store, owner } = this.options;
      try {
        const written = await store.writeSegments(owner, this.segments, planAppend(this.segments, tails, small));
        for (const key of APPEND_KEYS) this.held[key] += Buffer.byteLength(tails[key] ?? '', 'utf8');
        this.segments = lastOnly(written);
      } catch (err) {
        if (httpStatus(err) !== 409) throw err;
        // Someone wrote since our last look (a former leader's write that was already in flight): start from what
        // the cluster holds, comparing whole files. If it no longer is a prefix of our chain, planSegments refuses.
        const files: EvidenceFiles = { ...small };
        for (const key of APPEND_KEYS)
          if (existsSync(this.files[key])) files[key] = readFileSync(this.files[key], 'utf8');
        const current = (await store.list({ rolloutId: owner.rolloutId }))[0]?.segments ?? [];
        this.hold(await store.write(owner, current, files));
      }
      return true;
    });
    this.flushing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Adds stored intervals to intervals.jsonl (uploaded with the next flush). */
  appendIntervals(intervals: readonly StoredInterval[]): void {
    if (intervals.length === 0) return;
    const file = this.files[INTERVALS_KEY];
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, intervals.map((i) => `${JSON.stringify(i)}\n`).join(''));
  }

  /**
   * Intervals 1…`count` as the cluster holds them. A line may be there twice: a leader that uploaded an interval
   * and died before its state write left one the state does not count, and the next leader wrote its own interval
   * under that seq after it — the later line is the one the state counts.
   */
  intervals(count: number): StoredInterval[] {
    const file = this.files[INTERVALS_KEY];
    const bySeq = new Map<number, StoredInterval>();
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    for (const line of text.split('\n')) {
      if (!line) continue;
      const interval = JSON.parse(line) as StoredInterval;
      bySeq.set(interval.seq, interval);
    }
    const out: StoredInterval[] = [];
    for (let seq = 1; seq <= count; seq++) {
      const found = bySeq.get(seq);
      if (!found)
        throw new AppError(
          'E_STATE_INTERVALS',
          `the state counts ${count} intervals but the evidence ConfigMaps lack interval ${seq}: ` +
            'not resuming from a state the judge cannot be rebuilt from',
        );
      out.push(found);
    }
    return out;
  }

  /**
   * `inner` (the webhooks) hears of a decision only once its record is in the cluster, so every anchor a receiver
   * gets is in the chain any later leader continues. Traffic has already moved; this only orders the messages.
   * Without the Lease nothing is sent and the decision stays pending for the next leader.
   */
  sendAfterUpload(inner: Notifier, warn: (m: string) => void): Notifier {
    const upload = async (): Promise<boolean> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.flush();
        } catch (err) {
          if (attempt === 0) warn(`evidence not uploaded, webhooks wait for it: ${errorMessage(err)}`);
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
    };
    return {
      notify: (p) =>
        upload().then((ok): NotifyOutcome | Promise<NotifyOutcome> =>
          ok ? (inner.notify(p) ?? 'settled') : 'abandoned',
        ),
      flush: (ms) => inner.flush(ms),
      deliveries: () => inner.deliveries?.() ?? [],
    };
  }

  close(): void {
    this.sink.close();
  }

  /** Takes `segments` as what the cluster holds. */
  private hold(segments: Segment[]): void {
    for (const key of APPEND_KEYS)
      this.held[key] = segments.reduce((n, s) => n + Buffer.byteLength(s.data[key] ?? '', 'utf8'), 0);
    this.segments = lastOnly(segments);
  }
}

/** Only the last segment is ever rewritten: the others' data need not stay in memory (a long bake has many). */
function lastOnly(segments: Segment[]): Segment[] {
  const last = Math.max(0, ...segments.map((s) => s.index));
  return segments.map((s) => (s.index === last ? s : { ...s, data: {} }));
}

/** The file's text from byte `offset` (a line boundary: what the cluster already holds comes before it). */
function readFrom(file: string, offset: number): string {
  if (!existsSync(file)) {
    if (offset === 0) return '';
    throw new Error(`${basename(file)} is gone from the working copy though the cluster holds it: not uploading`);
  }
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.max(0, size - offset) + (offset > 0 ? 1 : 0));
    readSync(fd, buf, 0, buf.length, Math.max(0, offset - 1));
    if (size < offset || (offset > 0 && buf[0] !== 0x0a))
      throw new Error(`${basename(file)} no longer extends what the cluster holds (it was rewritten or cut)`);
    return buf.subarray(offset > 0 ? 1 : 0).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Up to the last newline: a line still being written is sent with the next flush. */
function wholeLines(text: string): string {
  return text.slice(0, text.lastIndexOf('\n') + 1);
}

function localFiles(dir: string, prBody: string): Record<keyof EvidenceFiles, string> {
  const out = {} as Record<keyof EvidenceFiles, string>;
  for (const key of [...APPEND_KEYS, ...SMALL_KEYS]) out[key] = key === PR_BODY_KEY ? prBody : join(dir, key);
  return out;
}
