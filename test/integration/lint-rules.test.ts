import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterEach, describe, expect, it } from 'vitest';
import { LAYERS } from '../../eslint-rules/layers.mjs';

// `npm run lint` as design pressure: a back-edge between folders, I/O in the pure folders and an over-long line
// each fail it. The probes are real files in src/ (the typed rules need them on disk), removed after each test.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const probes: string[] = [];
afterEach(() => probes.splice(0).forEach((f) => rmSync(f, { force: true })));

async function lint(file: string, code: string): Promise<string[]> {
  const path = join(ROOT, file);
  probes.push(path);
  writeFileSync(path, code);
  const [result] = await new ESLint({ cwd: ROOT }).lintFiles([path]);
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('lint rules', () => {
  it.each([
    ['src/controller', '../cli/define-command.js', 'cli'],
    ['src/controller', '../server/start-server.js', 'server'],
    ['src/evidence', '../controller/view.js', 'controller'],
    ['src/supply-chain', '../render/admission.js', 'render'],
    ['src/supply-chain', '../engine/reason-text.js', 'engine'],
    ['src/sources', '../actuators/actuator.js', 'actuators'],
    ['src/sources', '../render/grafana.js', 'render'],
    ['src/app', '../commands/adaptive-canary/index.js', 'commands'],
  ])('%s may not import %s', async (folder, spec, to) => {
    const from = folder.slice('src/'.length);
    expect(await lint(`${folder}/zz-lint-probe.ts`, `export * from '${spec}';\n`)).toContainEqual(
      expect.stringMatching(new RegExp(`^local/layers: src/${from} may not import src/${to} `)),
    );
  });

  it('a folder may import what the table allows (the rule is not simply failing everything)', async () => {
    expect(await lint('src/controller/zz-lint-probe.ts', "export * from '../engine/reason-text.js';\n")).toEqual([]);
  });

  it('src/schema and src/engine do no I/O', async () => {
    for (const folder of ['src/schema', 'src/engine']) {
      const code = "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n";
      expect(await lint(`${folder}/zz-lint-probe.ts`, code)).toContainEqual(
        expect.stringMatching(/^no-restricted-imports: 'node:fs' import is restricted/),
      );
    }
  });

  it('a line over 120 columns fails, an exported one too', async () => {
    const code = `export const long = '${'a'.repeat(120)}';\n`;
    expect(await lint('src/zz-lint-probe.ts', code)).toContainEqual(
      'max-len: This line has a length of 143. Maximum allowed is 120.',
    );
  });

  it('every src folder has a row in the layers table and in docs/architecture.md', () => {
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(folders.length).toBeGreaterThan(10);
    expect(Object.keys(LAYERS).sort()).toEqual([...folders].sort());
    const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    expect(folders.filter((f) => !new RegExp(`^\\| \`${f}/|\`${f}/\` is`, 'm').test(doc))).toEqual([]);
  });
});
