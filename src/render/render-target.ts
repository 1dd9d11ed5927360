import type { CanaryPolicy } from '../schema/policy.js';

/** One generated file, path relative to the output directory (by default the policy's directory). */
export interface RenderedFile {
  path: string;
  content: string;
  /** File mode, e.g. 0o644 (default). */
  mode?: number;
}

export interface RenderContext {
  policy: CanaryPolicy;
  /** Directory the policy file lives in (to find sibling files such as cosign.pub). */
  policyDir: string;
  env: NodeJS.ProcessEnv;
}

/** A `render` subject: turns the policy into files. Pure apart from reading sibling inputs it documents. */
export interface RenderTarget {
  name: string;
  summary: string;
  render(ctx: RenderContext): RenderedFile[] | Promise<RenderedFile[]>;
}
