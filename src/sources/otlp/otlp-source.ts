import type { OtlpReceiver, OtlpSubscription, OtlpSubscriptionSpec, TakenObservations } from './receiver.js';

/**
 * Observations pushed by OpenTelemetry SDKs or a Collector to the controller's `/v1/metrics`, for one rollout:
 * each interval takes what arrived since the previous one (see receiver.ts). Named `otlp` in the evidence.
 */
export class OtlpSource {
  readonly name = 'otlp';
  private readonly sub: OtlpSubscription;

  constructor(receiver: OtlpReceiver, spec: OtlpSubscriptionSpec) {
    this.sub = receiver.subscribe(spec);
  }

  /** Argo: the pod template hashes of the Rollout's stable and canary ReplicaSets. */
  setVariant(v: { baseline: string; canary: string }): void {
    this.sub.setVariant(v.baseline, v.canary);
  }

  /**
   * Select the baseline instances (`control`) by this value of the same attribute, or none. `serve` calls it
   * with the pod template hash of the Experiment's baseline pods (rollout.baseline) once one runs.
   */
  setControl(value: string | undefined): void {
    this.sub.setControl(value);
  }

  collect(): Promise<TakenObservations> {
    return Promise.resolve(this.sub.take());
  }

  close(): Promise<void> {
    this.sub.close();
    return Promise.resolve();
  }
}
