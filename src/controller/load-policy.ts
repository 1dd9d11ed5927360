import { AppError, ConfigError } from '../errors.js';
import { canaryPolicy, type PolicySpec } from '../schema/policy.js';
import { loadDocumentFile } from '../read-input.js';

const ENV_RE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface LoadedPolicy {
  spec: PolicySpec;
  /** Values that came from the environment (webhook secrets): redacted wherever they could appear. */
  secrets: string[];
}

/** A `${env:NAME}` the environment does not set, by where it is (e.g. spec.webhooks.0.secret). */
export interface MissingEnv {
  path: (string | number)[];
  name: string;
}

/**
 * Resolves `${env:NAME}` in webhook URLs and secrets: `run` reads them from its own environment, `serve` from
 * the controller's (a Secret mounted as env), so a secret never has to sit in a file or on the Rollout.
 */
export function resolveWebhookEnv(spec: PolicySpec, env: NodeJS.ProcessEnv): LoadedPolicy & { missing: MissingEnv[] } {
  const secrets: string[] = [];
  const missing: MissingEnv[] = [];
  const resolve = (text: string, path: (string | number)[]): string =>
    text.replace(ENV_RE, (_m, name: string) => {
      const v = env[name];
      if (v === undefined || v === '') {
        missing.push({ path, name });
        return '';
      }
      secrets.push(v);
      return v;
    });
  const webhooks = spec.webhooks.map((w, i) => ({
    ...w,
    url: resolve(w.url, ['spec', 'webhooks', i, 'url']),
    ...(w.secret !== undefined ? { secret: resolve(w.secret, ['spec', 'webhooks', i, 'secret']) } : {}),
  }));
  return { spec: { ...spec, webhooks }, secrets, missing };
}

/** resolveWebhookEnv for a policy that is not a file (serve's Rollout annotation): a missing variable is an error. */
export function resolveWebhookEnvOrThrow(spec: PolicySpec, env: NodeJS.ProcessEnv, where: string): LoadedPolicy {
  const { missing, ...resolved } = resolveWebhookEnv(spec, env);
  if (missing.length)
    throw new AppError(
      'E_POLICY_ENV',
      `${where}: ` +
        missing.map((m) => `environment variable ${m.name} is not set (needed by ${m.path.join('.')})`).join('; '),
    );
  return resolved;
}

/**
 * Reads canary.yaml (every problem reported with file:line:column) and resolves `${env:NAME}` in webhook
 * URLs and secrets. A missing variable is a config error pointing at the field, not a silent empty secret.
 */
export function loadPolicy(file: string, env: NodeJS.ProcessEnv): LoadedPolicy {
  const doc = loadDocumentFile(file, canaryPolicy);
  const { spec, secrets, missing } = resolveWebhookEnv(doc.value.spec, env);
  if (missing.length)
    throw new ConfigError(
      missing.map((m) => ({
        file,
        ...doc.locate(m.path),
        severity: 'error' as const,
        path: m.path.join('.'),
        message: `environment variable ${m.name} is not set (needed by ${m.path.join('.')})`,
      })),
    );
  return { spec, secrets };
}
