import type { VariantObservation } from '../schema/observation.js';

/** What the source needs of the router's recorder (the local actuator's ResponseRecorder has this shape). */
export interface RecordedResponses {
  take(): { baseline: VariantObservation; canary: VariantObservation; control?: VariantObservation };
}

/**
 * Observations from the embedded router: every response it proxied since the last interval, per variant
 * (requests, errors, latency histogram with the policy's bounds). Baseline is the stable version; control the
 * baseline instances, when `run --baseline` started them.
 */
export class EmbeddedRouterSource {
  readonly name = 'embedded';
  constructor(private readonly recorder: RecordedResponses) {}

  collect(): Promise<{ baseline: VariantObservation; canary: VariantObservation; control?: VariantObservation }> {
    return Promise.resolve(this.recorder.take());
  }
}
