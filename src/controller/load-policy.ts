import { ConfigError } from '../errors.js';
import { loadDocumentFile } from '../schema/load-document.js';
import { canaryPolicy, type PolicySpec } from '../schema/policy.js';

const ENV_RE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface LoadedPolicy {
  spec: PolicySpec;
  /** Values that came from the environment (webhook secrets): redacted wherever they could appear. */
  secrets: string[];
}

/**
 * Reads canary.yaml (every problem reported with file:line:column) and resolves `${env:NAME}` in webhook
 * URLs and secrets. A missing variable is a config error pointing at the field, not a silent empty secret.
 */
export function loadPolicy(file: string, env: NodeJS.ProcessEnv): LoadedPolicy {
  const doc = loadDocumentFile(file, canaryPolicy);
  const secrets: string[] = [];
  const problems: ConfigError['diagnostics'] = [];
  const resolve = (text: string, path: (string | number)[]): string =>
    text.replace(ENV_RE, (_m, name: string) => {
      const v = env[name];
      if (v === undefined || v === '') {
        problems.push({
          file,
          ...doc.locate(path),
          severity: 'error',
          path: path.join('.'),
          message: `environment variable ${name} is not set (needed by ${path.join('.')})`,
        });
        return '';
      }
      secrets.push(v);
      return v;
    });
  const webhooks = doc.value.spec.webhooks.map((w, i) => ({
    ...w,
    url: resolve(w.url, ['spec', 'webhooks', i, 'url']),
    ...(w.secret !== undefined ? { secret: resolve(w.secret, ['spec', 'webhooks', i, 'secret']) } : {}),
  }));
  if (problems.length) throw new ConfigError(problems);
  return { spec: { ...doc.value.spec, webhooks }, secrets };
}
