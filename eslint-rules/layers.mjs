// One rule, one table: which src/ folder may import which (docs/architecture.md, "Folders").
// Resolves each relative import against the importing file, so depth and folder names cannot fool it.
import path from 'node:path';

/** folder → folders it may import (besides itself and the top-level modules in src/*.ts). */
export const LAYERS = {
  bin: ['cli', 'commands'],
  cli: [],
  commands: ['*'],
  app: ['*', '!cli', '!commands', '!bin'],
  schema: [],
  redaction: [],
  engine: ['schema'],
  synthetics: ['schema', 'redaction'],
  sources: ['schema', 'synthetics'],
  actuators: ['schema'],
  evidence: ['schema', 'engine', 'redaction'],
  'supply-chain': ['schema'],
  render: ['schema', 'supply-chain'],
  observability: ['schema', 'engine', 'render'],
  controller: [
    'schema',
    'engine',
    'sources',
    'actuators',
    'evidence',
    'observability',
    'supply-chain',
    'synthetics',
    'redaction',
  ],
  server: ['schema', 'engine', 'controller', 'evidence', 'sources'],
  demo: ['schema', 'actuators', 'controller', 'synthetics', 'server', 'sources'],
};

function allowed(from, to) {
  const rule = LAYERS[from];
  if (!rule) return true;
  if (rule.includes(`!${to}`)) return false;
  return rule.includes('*') || rule.includes(to);
}

export const layersRule = {
  meta: {
    type: 'problem',
    schema: [],
    messages: { back: 'src/{{from}} may not import src/{{to}} (layers: {{allowed}})' },
  },
  create(context) {
    const file = context.filename;
    const src = path.join(context.cwd, 'src');
    const rel = path.relative(src, file);
    if (rel.startsWith('..') || rel.endsWith('.test.ts')) return {};
    const from = rel.split(path.sep)[0];
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path.relative(src, path.resolve(path.dirname(file), spec));
      if (target.startsWith('..')) return;
      const parts = target.split(path.sep);
      if (parts.length < 2) return; // a top-level module (errors.ts, exit-codes.ts, …)
      const to = parts[0];
      if (to === from || allowed(from, to)) return;
      context.report({
        node,
        messageId: 'back',
        data: { from, to, allowed: (LAYERS[from] ?? []).join(', ') || 'none' },
      });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};
