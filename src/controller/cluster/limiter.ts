/**
 * A counting semaphore. `serve` shares one across every rollout's Prometheus queries and one across its state
 * writes, so a thousand rollouts ticking in the same second queue here instead of opening a thousand sockets at
 * once — which would starve the Lease renewals behind them.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  /** `fetch` that waits its turn. */
  fetch(): typeof fetch {
    return (input, init) => this.run(() => fetch(input, init));
  }
}
