import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` dropped, non-finite numbers as null (what
 * JSON.stringify does). One value has exactly one text, so a hash of the text is a hash of the value, and
 * any edit to a line — even whitespace — makes the line differ from its canonical form.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The hash a chained record carries: SHA-256 of its canonical JSON without the `hash` field itself. */
export function recordHash(record: Record<string, unknown>): string {
  const { hash: _ignored, ...body } = record;
  return sha256Hex(canonicalJson(body));
}
