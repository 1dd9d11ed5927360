import { z } from 'zod';
import type { publishedSchemas } from './registry.js';

/** The JSON Schema text for one published format (input side: defaults are optional for the author). */
export function jsonSchemaText(entry: (typeof publishedSchemas)[number]): string {
  const schema = z.toJSONSchema(entry.schema, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify({ ...schema, title: entry.title }, null, 2)}\n`;
}
