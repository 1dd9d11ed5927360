import type { Actuator, ActuatorFault, ActuatorState, RollbackResult } from '../../src/actuators/actuator.js';

/**
 * An actuator that only remembers: the weight it was set to and every call, in order. `crash()` reports a fault
 * as a real one would. For controller tests that check the loop, not the traffic.
 */
export class FakeActuator implements Actuator {
  readonly kind = 'fake';
  calls: string[] = [];
  weight = 0;
  /** What `state()` reports, e.g. 'rolled-back' for traffic someone else already moved. */
  phase: ActuatorState['phase'] = 'progressing';
  private fault: ((f: ActuatorFault) => void) | undefined;

  constructor(private readonly clock: () => number) {}

  state(): Promise<ActuatorState> {
    return Promise.resolve({ phase: this.phase, canaryWeight: this.weight, stableUp: true, canaryUp: true });
  }
  setWeight(p: number): Promise<void> {
    if (this.phase === 'promoted') return Promise.reject(new Error('the rollout is already fully promoted'));
    this.calls.push(`weight:${p}`);
    this.weight = p;
    return Promise.resolve();
  }
  promote(): Promise<void> {
    this.calls.push('promote');
    this.weight = 100;
    return Promise.resolve();
  }
  rollback(): Promise<RollbackResult> {
    this.calls.push('rollback');
    this.weight = 0;
    return Promise.resolve({ confirmedAt: this.clock() });
  }
  onFault(l: (f: ActuatorFault) => void): () => void {
    this.fault = l;
    return () => (this.fault = undefined);
  }
  crash(message: string): void {
    this.fault?.({ variant: 'canary', message, at: this.clock() });
  }
}
