// Types for the tests that read the table (layers.mjs is plain JS so ESLint loads it without a build).
import type { Rule } from 'eslint';

export declare const LAYERS: Record<string, string[]>;
export declare const layersRule: Rule.RuleModule;
