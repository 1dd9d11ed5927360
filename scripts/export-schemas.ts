// Writes schemas/*.schema.json from the zod schemas (the single source of each format).
import { writeFileSync } from 'node:fs';
import { jsonSchemaText } from '../src/schema/json-schema.js';
import { publishedSchemas } from '../src/schema/registry.js';

for (const entry of publishedSchemas) {
  writeFileSync(new URL(`../schemas/${entry.file}`, import.meta.url), jsonSchemaText(entry));
  console.log(`wrote schemas/${entry.file}`);
}
