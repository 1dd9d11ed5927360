import { AppError } from '../errors.js';
import type { RolloutController } from './rollout-controller.js';
import type { ControllerEvent, ControllerView, ManualAction, RolloutSnapshot } from './view.js';

/** An action the rollout's phase does not allow (the server answers 409 with this code), or an unknown rollout. */
export class RolloutActionError extends AppError {
  override name = 'RolloutActionError';
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(status === 404 ? 'E_ROLLOUT_NOT_FOUND' : 'E_ACTION_REJECTED', message);
  }
}

/**
 * The ControllerView of a process: every rollout it drives (the demo runs three at once). The HTTP server,
 * the dashboard and the terminal progress read snapshots and events from here, and send manual actions.
 */
export class ControllerHub implements ControllerView {
  private readonly controllers = new Map<string, RolloutController>();
  private readonly listeners = new Set<(e: ControllerEvent) => void>();

  add(controller: RolloutController): void {
    this.controllers.set(controller.id, controller);
    controller.subscribe((e) => {
      for (const l of this.listeners) l(e);
    });
    for (const l of this.listeners) l({ type: 'snapshot', rollout: controller.snapshot() });
  }

  list(): RolloutSnapshot[] {
    return [...this.controllers.values()].map((c) => c.snapshot());
  }

  get(id: string): RolloutSnapshot | undefined {
    return this.controllers.get(id)?.snapshot();
  }

  subscribe(listener: (event: ControllerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async act(id: string, action: ManualAction, actor: string): Promise<RolloutSnapshot> {
    const c = this.controllers.get(id);
    if (!c) throw new RolloutActionError(404, `no rollout ${id}`);
    try {
      return await c.act(action, actor);
    } catch (err) {
      throw new RolloutActionError(409, (err as Error).message);
    }
  }
}
