import { formsOf, maskSecretForms } from '../redaction/redact.js';

/**
 * One template syntax for the whole suite: `${name}` reads a variable (defined in `spec.variables` or extracted
 * by an earlier step), `${env:NAME}` reads the environment. Values from the environment are secrets.
 */
export const TEMPLATE_RE = /\$\{(env:)?([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface TemplateRef {
  env: boolean;
  name: string;
}

/** Every `${...}` reference in a string, in order. */
export function templateRefs(text: string): TemplateRef[] {
  return [...text.matchAll(TEMPLATE_RE)].map((m) => ({ env: m[1] !== undefined, name: m[2] ?? '' }));
}

export class MissingVariableError extends Error {
  override name = 'MissingVariableError';
  constructor(readonly ref: TemplateRef) {
    super(ref.env ? `environment variable ${ref.name} is not set` : `variable "${ref.name}" is not defined`);
  }
}

export interface Scope {
  vars: ReadonlyMap<string, string>;
  env: Readonly<Record<string, string | undefined>>;
}

/** Replaces every reference; throws MissingVariableError for the first one that has no value. */
export function interpolate(text: string, scope: Scope): string {
  return text.replace(TEMPLATE_RE, (_m, env: string | undefined, key: string) => {
    const value = env ? scope.env[key] : scope.vars.get(key);
    if (value === undefined) throw new MissingVariableError({ env: env !== undefined, name: key });
    return value;
  });
}

/** Interpolates every string inside a JSON-like value (request bodies, assertion values). */
export function interpolateDeep(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return interpolate(value, scope);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, scope)]));
  }
  return value;
}

/**
 * Collects secret values and masks them in any text. Short values (under 3 characters) are not masked: they
 * would mangle every number in the output and cannot be a credential worth the name.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private forms: string[] | undefined;

  add(value: string | undefined): void {
    if (value !== undefined && value.length >= 3 && !this.secrets.has(value)) {
      this.secrets.add(value);
      this.forms = undefined;
    }
  }

  /** A copy that can learn per-run secrets (extracted tokens) without growing this one. */
  fork(): Redactor {
    const child = new Redactor();
    for (const s of this.secrets) child.secrets.add(s);
    return child;
  }

  /** How many secrets are known. */
  get size(): number {
    return this.secrets.size;
  }

  /** Masks each secret in every encoding a request carries it (raw, URL, JSON, base64: secretForms). */
  redact(text: string): string {
    if (this.secrets.size === 0) return text;
    this.forms ??= formsOf([...this.secrets]);
    return maskSecretForms(text, [...this.secrets], this.forms, '***');
  }

  /** Redacts every string (keys included) in a JSON-like value. */
  redactDeep<T>(value: T): T {
    if (this.secrets.size === 0) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.redact(k), this.walk(v)]));
    }
    return value;
  }
}
