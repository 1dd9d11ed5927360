import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { httpStatus } from '../../actuators/argo/retry.js';
import type { HeadSigner } from '../../evidence/head-signature.js';
import { prBodyPath, rolloutDir } from '../../evidence/paths.js';
import type { PolicySpec } from '../../schema/policy.js';
import { errorMessage } from '../../errors.js';
import { EvidenceLogSink } from '../evidence-sink.js';
import type { Notifier, NotifyOutcome } from '../ports.js';
import type { EvidenceConfigMaps, EvidenceOwner } from './evidence-configmaps.js';
import { APPEND_KEYS, PR_BODY_KEY, SMALL_KEYS, type EvidenceFiles, type Segment } from './evidence-segments.js';

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
  private segments: Segment[];
  private flushing: Promise<void> = Promise.resolve();

  private constructor(
    readonly sink: EvidenceLogSink,
    private readonly options: ClusterEvidenceOptions,
    stored: Segment[],
    private readonly files: Record<keyof EvidenceFiles, string>,
  ) {
    this.segments = stored;
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
      const files: EvidenceFiles = {};
      for (const [key, file] of Object.entries(this.files) as [keyof EvidenceFiles, string][])
        if (existsSync(file)) files[key] = readFileSync(file, 'utf8');
      try {
        this.segments = await this.options.store.write(this.options.owner, this.segments, files);
      } catch (err) {
        if (httpStatus(err) !== 409) throw err;
        // Someone wrote since our last look (a former leader's write that was already in flight): start from what
        // the cluster holds. If it no longer is a prefix of our chain, planSegments refuses and says so.
        this.segments = (await this.options.store.list({ rolloutId: this.options.owner.rolloutId }))[0]?.segments ?? [];
        this.segments = await this.options.store.write(this.options.owner, this.segments, files);
      }
      return true;
    });
    this.flushing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
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
}

function localFiles(dir: string, prBody: string): Record<keyof EvidenceFiles, string> {
  const out = {} as Record<keyof EvidenceFiles, string>;
  for (const key of [...APPEND_KEYS, ...SMALL_KEYS]) out[key] = key === PR_BODY_KEY ? prBody : join(dir, key);
  return out;
}
