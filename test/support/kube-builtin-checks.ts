import type { KubeObject } from './kube-store.js';

/**
 * The API server's own validation for the built-in kinds the controller writes (ConfigMaps for the evidence,
 * events.k8s.io/v1 Events on the Rollout), as kubernetes/kubernetes does it: pkg/apis/core/validation
 * (ValidateConfigMap, ValidateEventCreate with the strict events.k8s.io/v1 rules) and apimachinery's
 * ObjectMeta checks (DNS-1123 subdomain names, label syntax, the 256 KiB annotation budget).
 */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
/** core.MaxSecretSize, which ValidateConfigMap applies to data + binaryData together. */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** ObjectMeta validation, which the API server applies to every object, custom resources (Rollouts) included. */
export function metaProblems(obj: KubeObject): string[] {
  const p: string[] = [];
  const name = obj.metadata.name;
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name))
    p.push(`metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of …`);
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    const [prefix, key] = k.includes('/') ? k.split('/', 2) : [undefined, k];
    if ((prefix !== undefined && !DNS1123_SUBDOMAIN.test(prefix)) || !key || key.length > 63 || !LABEL_NAME.test(key))
      p.push(`metadata.labels: Invalid value: "${k}": name part must consist of alphanumeric characters …`);
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))
      p.push(`metadata.labels: Invalid value: "${String(v)}": a valid label must be 63 characters or less …`);
  }
  const annotations = Object.entries(obj.metadata.annotations ?? {});
  const size = annotations.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
  if (size > ANNOTATIONS_MAX_BYTES)
    p.push(`metadata.annotations: Too long: must have at most ${ANNOTATIONS_MAX_BYTES} bytes`);
  return p;
}

export function checkConfigMap(obj: KubeObject): string[] {
  const p = metaProblems(obj);
  const data = (obj.data ?? {}) as Record<string, unknown>;
  const binary = (obj.binaryData ?? {}) as Record<string, unknown>;
  let total = 0;
  for (const [k, v] of [...Object.entries(data), ...Object.entries(binary)]) {
    if (k.length > 253 || !CONFIG_KEY.test(k))
      p.push(
        `data[${k}]: Invalid value: "${k}": a valid config key must consist of ` +
          `alphanumeric characters, '-', '_' or '.'`,
      );
    if (typeof v !== 'string') p.push(`data[${k}]: Invalid value: must be a string`);
    else total += Buffer.byteLength(v);
  }
  if (total > CONFIGMAP_MAX_BYTES) p.push(`[]: Too long: must have at most ${CONFIGMAP_MAX_BYTES} bytes`);
  return p;
}

/** events.k8s.io/v1 create: the strict rules (eventTime, reporting*, action, reason, note ≤ 1 KiB, type). */
export function checkEvent(obj: KubeObject): string[] {
  const p = metaProblems(obj);
  const e = obj as KubeObject & Record<string, unknown>;
  const str = (k: string): string => (typeof e[k] === 'string' ? e[k] : '');
  if (!MICRO_TIME.test(str('eventTime'))) p.push(`eventTime: Required value (a MicroTime, got ${String(e.eventTime)})`);
  if (str('type') !== 'Normal' && str('type') !== 'Warning') p.push(`type: Invalid value: "${str('type')}"`);
  for (const k of ['firstTimestamp', 'lastTimestamp', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp'])
    if (e[k] !== undefined && e[k] !== null) p.push(`${k}: Invalid value: needs to be unset`);
  const rc = str('reportingController');
  if (!rc) p.push('reportingController: Required value');
  else if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(rc))
    p.push(`reportingController: Invalid value: "${rc}": must be a qualified name`);
  const limits: [string, number][] = [
    ['reportingInstance', 128],
    ['action', 128],
    ['reason', 128],
  ];
  for (const [k, max] of limits) {
    if (!str(k)) p.push(`${k}: Required value`);
    else if (str(k).length > max) p.push(`${k}: Invalid value: can have at most ${max} characters`);
  }
  if (Buffer.byteLength(str('note')) > 1024) p.push('note: Invalid value: can have at most 1024 characters');
  return p;
}
