import { AppError } from '../../errors.js';
import type { Actuator, ActuatorFault, ActuatorState, RollbackResult } from '../actuator.js';
import { findFractional, noFractional, readFlagFile, writeFileAtomic, type FlagFile, type Json } from './flag-file.js';

export interface FlagdActuatorOptions {
  /** The flagd flag file (JSON) flagd watches. */
  file: string;
  /** Flag key. */
  flag: string;
  /** Variant the canary serves; default: the fractional variant that is not `defaultVariant`. */
  canaryVariant?: string;
  /** Variant everyone else gets; default: the flag's `defaultVariant`. */
  stableVariant?: string;
  now?: () => number;
}

/**
 * `--feature-step`: a feature-flag canary. Moves the flag's fractional targeting weights (canary variant =
 * weight %, stable variant = the rest) through the policy's steps, rewriting the file atomically; rollback
 * puts the canary variant back to 0. Everything else in the file (other flags, the bucketing expression,
 * rules around the `fractional`) is kept. Each write is checked by flagd's own evaluator first.
 */
export class FlagdActuator implements Actuator {
  readonly kind = 'flagd';

  constructor(private readonly opts: FlagdActuatorOptions) {}

  async state(): Promise<ActuatorState> {
    const { canary, total } = await this.weights();
    const pct = total === 0 ? 0 : Math.round((canary / total) * 100);
    return {
      phase: pct === 0 ? 'idle' : pct === 100 ? 'promoted' : 'progressing',
      canaryWeight: pct,
      stableUp: null,
      canaryUp: null,
    };
  }

  setWeight(percent: number): Promise<void> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100)
      return Promise.reject(new AppError('E_FLAGD_WEIGHT', `flagd weights are integers 0..100, got ${percent}`));
    return this.write(percent);
  }

  promote(): Promise<void> {
    return this.write(100);
  }

  async rollback(): Promise<RollbackResult> {
    await this.write(0);
    return { confirmedAt: (this.opts.now ?? Date.now)() };
  }

  /**
   * Which flag variants are the canary and the stable one, as the file says now: the values of the metric label
   * that tells them apart when the service exports per-variant metrics (`run --target flagd`).
   */
  async variants(): Promise<{ canary: string; stable: string }> {
    const { canary, stable } = this.locate(await readFlagFile(this.opts.file));
    return { canary, stable };
  }

  /** A flag file has no upstreams to watch. */
  onFault(_listener: (fault: ActuatorFault) => void): () => void {
    return () => undefined;
  }

  private async weights(): Promise<{ canary: number; total: number }> {
    const doc = await readFlagFile(this.opts.file);
    const { fractional, canary } = this.locate(doc);
    let c = 0;
    let total = 0;
    for (const entry of fractional) {
      if (!Array.isArray(entry)) continue;
      const w = typeof entry[1] === 'number' ? entry[1] : 1;
      total += w;
      if (entry[0] === canary) c += w;
    }
    return { canary: c, total };
  }

  private locate(doc: FlagFile): { fractional: Json[]; canary: string; stable: string } {
    const def = doc.flags[this.opts.flag];
    if (!def)
      throw new AppError(
        'E_FLAGD_FLAG',
        `${this.opts.file}: no flag "${this.opts.flag}" (flags: ${Object.keys(doc.flags).join(', ')})`,
      );
    const fractional = findFractional(def.targeting);
    if (!fractional) throw noFractional(this.opts.file, this.opts.flag);
    const variants = fractional.filter(Array.isArray).map((e) => String(e[0]));
    const stable = this.opts.stableVariant ?? def.defaultVariant ?? variants[variants.length - 1];
    const canary = this.opts.canaryVariant ?? variants.find((v) => v !== stable);
    if (!stable || !canary || !(canary in def.variants) || !(stable in def.variants)) {
      throw new AppError(
        'E_FLAGD_VARIANTS',
        `${this.opts.file}: flag "${this.opts.flag}" needs a canary and a ` +
          `stable variant among ${Object.keys(def.variants).join(', ')}`,
      );
    }
    return { fractional, canary, stable };
  }

  private async write(percent: number): Promise<void> {
    const doc = await readFlagFile(this.opts.file);
    const { fractional, canary, stable } = this.locate(doc);
    // Keep a leading bucketing expression (anything that is not a [variant, weight] pair).
    const head = fractional.filter((e) => !Array.isArray(e));
    const others = fractional
      .filter((e): e is Json[] => Array.isArray(e) && e[0] !== canary && e[0] !== stable)
      .map((e) => [e[0] ?? null, 0]);
    fractional.splice(0, fractional.length, ...head, [canary, percent], [stable, 100 - percent], ...others);
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    await checkWithFlagd(text, this.opts.file);
    await writeFileAtomic(this.opts.file, text);
  }
}

async function checkWithFlagd(text: string, file: string): Promise<void> {
  const { FlagdCore } = await import('@openfeature/flagd-core');
  try {
    new FlagdCore().setConfigurations(text);
  } catch (err) {
    throw new AppError(
      'E_FLAGD_INVALID',
      `${file}: flagd would reject the rewritten file (${(err as Error).message}); not written`,
      undefined,
      { cause: err },
    );
  }
}
