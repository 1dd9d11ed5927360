import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { isObject } from './merge-patch.js';

/**
 * Validates stored objects against a CRD's `openAPIV3Schema` (the copied upstream CRD in test/fixtures), and
 * prunes unknown fields the way the API server does for structural schemas (fieldValidation=Warn: dropped,
 * reported as a warning). CEL rules (`x-kubernetes-validations`) are not evaluated.
 */
export interface CrdSchema {
  validate(obj: unknown): string[];
  /** Removes fields the schema does not declare; returns their paths. */
  prune(obj: unknown): string[];
}

type Schema = Record<string, unknown>;
const cache = new Map<string, CrdSchema>();

export function loadCrdSchema(file: string, version = 'v1alpha1'): CrdSchema {
  const cached = cache.get(file + version);
  if (cached) return cached;
  const crd = parse(readFileSync(file, 'utf8')) as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
  };
  const ver = crd.spec.versions.find((v) => v.name === version);
  if (!ver) throw new Error(`${file}: no version ${version}`);
  const schema = ver.schema.openAPIV3Schema;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validateFn: ValidateFunction = ajv.compile(schema);
  const result: CrdSchema = {
    validate(obj) {
      if (validateFn(obj)) return [];
      return (validateFn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`);
    },
    prune(obj) {
      const removed: string[] = [];
      pruneInto(obj, schema, '', removed);
      return removed;
    },
  };
  cache.set(file + version, result);
  return result;
}

function pruneInto(value: unknown, schema: Schema, path: string, removed: string[]): void {
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (Array.isArray(value)) {
    const items = schema.items as Schema | undefined;
    if (items) value.forEach((v, i) => pruneInto(v, items, `${path}[${i}]`, removed));
    return;
  }
  if (!isObject(value)) return;
  const props = schema.properties as Record<string, Schema> | undefined;
  const additional = schema.additionalProperties as Schema | boolean | undefined;
  for (const key of Object.keys(value)) {
    // metadata is validated by the API server itself, not by the CRD schema.
    if (path === '' && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    const sub = props?.[key] ?? (isObject(additional) ? additional : undefined);
    if (sub) pruneInto(value[key], sub, `${path}.${key}`, removed);
    else if (additional !== true && (props || schema.type === 'object')) {
      removed.push(`${path}.${key}`);
      delete value[key];
    }
  }
}
