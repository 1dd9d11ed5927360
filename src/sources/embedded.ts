import type { ResponseRecorder } from '../actuators/local/recorder.js';
import type { VariantObservation } from '../schema/observation.js';

/**
 * Observations from the embedded router: every response it proxied since the last interval, per variant
 * (requests, errors, latency histogram with the policy's bounds). Baseline is the stable version.
 */
export class EmbeddedRouterSource {
  readonly name = 'embedded';
  constructor(private readonly recorder: ResponseRecorder) {}

  collect(): Promise<{ baseline: VariantObservation; canary: VariantObservation }> {
    return Promise.resolve(this.recorder.take());
  }
}
