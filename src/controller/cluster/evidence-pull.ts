import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { httpStatus } from '../../actuators/argo/retry.js';
import { writeFileAtomic } from '../../evidence/durable-file.js';
import { EVIDENCE_FILES, prBodyPath, rolloutDir } from '../../evidence/paths.js';
import { AppError, errorMessage, UnreachableError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { EvidenceConfigMaps, type StoredEvidence } from './evidence-configmaps.js';
import { PR_BODY_KEY, type EvidenceFiles } from './evidence-segments.js';

/** The namespace `deploy/` runs the controller in, where it keeps the evidence ConfigMaps. */
export const DEFAULT_EVIDENCE_NAMESPACE = 'adaptive-canary';

export interface PullOptions {
  kubeConfig: KubeConfig;
  /** Where the controller keeps the ConfigMaps. */
  evidenceNamespace: string;
  /** Only the evidence of Rollouts in this namespace. */
  rolloutNamespace?: string | undefined;
  /** `.evidence`; the PR bodies go to `.prbodies` beside it, as on a laptop. */
  root: string;
}

export interface PulledRollout {
  service: string;
  rolloutId: string;
  rollout: string;
  dir: string;
  records: number;
  /** `kept-local`: the local chain already extends the cluster's (records added here, e.g. `evidence mark`). */
  status: 'written' | 'kept-local';
}

/**
 * `evidence pull`: every rollout's evidence from the cluster's ConfigMaps, written in the laptop layout
 * (`.evidence/<service>/<rollout-id>/`, `.prbodies/<rollout-id>.md`) so `evidence verify|show` and `report`
 * read it unchanged. Nothing is checked or repaired here — verify does that on what was brought home.
 */
export async function pullEvidence(options: PullOptions): Promise<PulledRollout[]> {
  const store = await EvidenceConfigMaps.create(options.kubeConfig, options.evidenceNamespace, { attempts: 2 });
  let found: StoredEvidence[];
  try {
    found = await store.list({ rolloutNamespace: options.rolloutNamespace });
  } catch (err) {
    throw apiError(err, options);
  }
  const prRoot = join(dirname(options.root), '.prbodies');
  return found.map((e) => write(e, options.root, prRoot)).sort((a, b) => a.dir.localeCompare(b.dir));
}

function write(e: StoredEvidence, root: string, prRoot: string): PulledRollout {
  const files = e.files;
  const service = serviceOf(files) ?? e.owner.service;
  const dir = rolloutDir(root, service, e.owner.rolloutId);
  const decisions = files[EVIDENCE_FILES.decisions] ?? '';
  const records = decisions.split('\n').filter(Boolean).length;
  const base = { service, rolloutId: e.owner.rolloutId, rollout: `${e.owner.namespace}/${e.owner.name}`, dir, records };
  const local = join(dir, EVIDENCE_FILES.decisions);
  if (existsSync(local)) {
    const text = readFileSync(local, 'utf8');
    if (text.length > decisions.length && text.startsWith(decisions)) return { ...base, status: 'kept-local' };
  }
  mkdirSync(dir, { recursive: true });
  for (const [key, text] of Object.entries(files) as [keyof EvidenceFiles, string][]) {
    if (key === PR_BODY_KEY) {
      mkdirSync(prRoot, { recursive: true });
      writeFileAtomic(prBodyPath(prRoot, e.owner.rolloutId), text);
    } else writeFileAtomic(join(dir, key), text);
  }
  return { ...base, status: 'written' };
}

function serviceOf(files: EvidenceFiles): string | undefined {
  try {
    const meta = JSON.parse(files[EVIDENCE_FILES.meta] ?? 'null') as { service?: unknown } | null;
    if (typeof meta?.service === 'string') return meta.service;
    const first = JSON.parse(files[EVIDENCE_FILES.decisions]?.split('\n')[0] ?? 'null') as { service?: unknown };
    return typeof first?.service === 'string' ? first.service : undefined;
  } catch {
    return undefined;
  }
}

/** No answer or a 5xx: unreachable (3). Refused by the API server (401/403/404): the kubeconfig's fault (2). */
function apiError(err: unknown, options: PullOptions): AppError {
  const server = options.kubeConfig.getCurrentCluster()?.server ?? 'the Kubernetes API';
  const status = httpStatus(err);
  if (status === 401 || status === 403)
    return new AppError(
      'E_KUBE_FORBIDDEN',
      `${server} refused to list ConfigMaps in ${options.evidenceNamespace} ` +
        `(HTTP ${status}): the kubeconfig's user needs "list configmaps" there`,
      ExitCode.usage,
      { cause: err },
    );
  if (status === 404)
    return new AppError(
      'E_KUBE_NOT_FOUND',
      `${server}: namespace ${options.evidenceNamespace} not found`,
      ExitCode.usage,
      {
        cause: err,
      },
    );
  return new UnreachableError(`Kubernetes API at ${server}`, errorMessage(err), { cause: err });
}
