import { setTimeout as sleep } from 'node:timers/promises';
import type { SyntheticCounts } from '../schema/observation.js';
import type { ProbeSuite } from '../schema/probe-suite.js';
import { prepareSuite, type PreparedSuite } from '../synthetics/prepare-suite.js';
import { runSuite } from '../synthetics/run-flow.js';

export interface SyntheticsSourceOptions {
  suite: ProbeSuite;
  /** Direct URLs of each version (not the router: each variant's probes must hit that variant). */
  stableUrl: string;
  canaryUrl: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Pause between suite runs; each analysis interval should see at least one run. */
  everyMs: number;
  /** Flows to run (default: every flow not tagged chaos). */
  flows?: string[];
}

/**
 * Runs the synthetic suite in-process against canary and stable, back to back, and hands each analysis
 * interval the final results (after retries) per variant: `synthetic: {runs, passed}`. Probing both versions
 * lets the judge discount failures the stable version shares (a flaky probe, a shared dependency outage).
 */
export class SyntheticsSource {
  readonly name = 'synthetics';
  private counts = { baseline: { runs: 0, passed: 0 }, canary: { runs: 0, passed: 0 } };
  private readonly prepared: { baseline: PreparedSuite; canary: PreparedSuite };
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly opts: SyntheticsSourceOptions) {
    this.prepared = {
      baseline: prepareSuite(opts.suite, { baseUrl: opts.stableUrl, env: opts.env }),
      canary: prepareSuite(opts.suite, { baseUrl: opts.canaryUrl, env: opts.env }),
    };
  }

  start(): void {
    this.loop ??= this.run();
  }

  collect(): Promise<{
    baseline: { synthetic: SyntheticCounts | null };
    canary: { synthetic: SyntheticCounts | null };
  }> {
    const c = this.counts;
    this.counts = { baseline: { runs: 0, passed: 0 }, canary: { runs: 0, passed: 0 } };
    const or = (s: SyntheticCounts): SyntheticCounts | null => (s.runs > 0 ? s : null);
    return Promise.resolve({ baseline: { synthetic: or(c.baseline) }, canary: { synthetic: or(c.canary) } });
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const [b, c] = await Promise.all([
        runSuite(this.prepared.baseline, { flows: this.opts.flows, signal }),
        runSuite(this.prepared.canary, { flows: this.opts.flows, signal }),
      ]);
      if (signal.aborted) return;
      this.add('baseline', b.flows.length, b.flows.filter((f) => f.success).length);
      this.add('canary', c.flows.length, c.flows.filter((f) => f.success).length);
      await sleep(this.opts.everyMs, undefined, { signal }).catch(() => undefined);
    }
  }

  private add(variant: 'baseline' | 'canary', runs: number, passed: number): void {
    this.counts[variant].runs += runs;
    this.counts[variant].passed += passed;
  }
}
