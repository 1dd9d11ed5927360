import type { RolloutClient } from '../../actuators/argo/rollout-client.js';
import { templatePodHash } from '../../actuators/argo/experiment-status.js';
import { viewRollout, type RolloutObject } from '../../actuators/argo/rollout-status.js';
import { errorMessage } from '../../errors.js';
import { BASELINE_TEMPLATE } from '../../schema/supply-chain-policy.js';
import type { ObservationSource } from '../ports.js';

/** A baseline found running: the Experiment, its template and the pods' hash (the `control` label value). */
export interface BaselineFound {
  experiment: string;
  template: string;
  podTemplateHash: string;
}

export interface BaselineTrackerOptions {
  client: RolloutClient;
  namespace: string;
  /** The Rollout as last watched (status.canary.currentExperiment names the running Experiment). */
  rollout: () => RolloutObject | undefined;
  /** A new baseline is compared with from now on (recorded in the evidence). */
  onBaseline: (found: BaselineFound) => void;
  warn: (message: string) => void;
}

/**
 * The baseline of a Rollout rendered with `rollout.baseline` (src/render/rollout.ts): while an `experiment` step
 * runs, Argo names its Experiment in `status.canary.currentExperiment`, and the Experiment's status gives the
 * pod-template-hash of its `baseline` template's pods. Looked up before every interval until found (the
 * ReplicaSet appears a moment after the Experiment; its status changes do not touch the Rollout, so the watch
 * alone would miss it). The hash is kept after its Experiment ends: between two steps' Experiments the old
 * baseline simply has no data (the judge learns nothing from that interval) instead of the canary falling back
 * to being compared with the warm stable.
 */
export class BaselineTracker {
  private hash: string | undefined;
  private resolved: string | null = null;
  private inflight: Promise<string | undefined> | undefined;

  constructor(private readonly opts: BaselineTrackerOptions) {}

  /** The baseline pods' hash to compare with, or undefined while no baseline has run. One lookup at a time. */
  refresh(): Promise<string | undefined> {
    this.inflight ??= this.lookup().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async lookup(): Promise<string | undefined> {
    const ro = this.opts.rollout();
    const experiment = ro ? viewRollout(ro).currentExperiment : null;
    if (!experiment || experiment === this.resolved) return this.hash;
    try {
      const ex = await this.opts.client.getExperiment(this.opts.namespace, experiment);
      const hash = ex ? templatePodHash(ex, BASELINE_TEMPLATE) : null;
      if (!hash) return this.hash;
      this.resolved = experiment;
      if (hash !== this.hash) {
        this.hash = hash;
        this.opts.onBaseline({ experiment, template: BASELINE_TEMPLATE, podTemplateHash: hash });
      }
    } catch (err) {
      this.opts.warn(`baseline: Experiment ${experiment} not readable: ${errorMessage(err)}`);
    }
    return this.hash;
  }
}

/** Each source looks the baseline up before collecting and selects its pods as `control` (when it can). */
export function withBaseline(sources: ObservationSource[], tracker: BaselineTracker): ObservationSource[] {
  return sources.map((s) => ({
    name: s.name,
    collect: async () => {
      s.setControl?.(await tracker.refresh());
      return s.collect();
    },
    ...(s.close ? { close: () => s.close!() } : {}),
  }));
}
