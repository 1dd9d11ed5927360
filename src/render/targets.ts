import type { RenderTarget } from './target.js';

/**
 * Every `adaptive-canary render <subject>`, in --help order. Each subject lives in its own module under
 * src/render/ and is loaded only when asked for.
 */
export const renderTargets: Record<string, { summary: string; load: () => Promise<RenderTarget> }> = {};
