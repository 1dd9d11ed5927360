import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonSchemaText } from './json-schema.js';
import { publishedSchemas } from './registry.js';

describe('published JSON Schemas', () => {
  it.each(publishedSchemas.map((e) => [e.file, e] as const))(
    'schemas/%s is up to date (run npm run schemas)',
    (file, entry) => {
      const committed = readFileSync(new URL(`../../schemas/${file}`, import.meta.url), 'utf8');
      expect(committed).toBe(jsonSchemaText(entry));
    },
  );
});
