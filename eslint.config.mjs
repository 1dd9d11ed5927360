// Lint is design pressure: typed rules (floating promises matter in a control loop), small functions,
// no stray console outside the CLI layer.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layersRule } from './eslint-rules/layers.mjs';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'bench/results/**',
      'src/server/assets/vendor/**',
      '.evidence/**',
      '.prbodies/**',
      'test/artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use a union of string literals instead of an enum.' },
      ],
      'max-depth': ['error', 4],
      'max-params': ['error', 5],
      complexity: ['error', 20],
      'no-console': 'error',
      // Lines stay readable in a side-by-side diff; break strings with + and reflow comments.
      'max-len': ['error', { code: 120, ignoreUrls: true, ignorePattern: "^\\s*(import|export) .* from '[^']+';$" }],
    },
  },
  {
    // Folders by role, nothing pointing back up: the table is eslint-rules/layers.mjs (docs/architecture.md).
    files: ['src/**/*.ts'],
    plugins: { local: { rules: { layers: layersRule } } },
    rules: { 'local/layers': 'error' },
  },
  {
    // Formats and the engine do no I/O (no clock, files or network): src/read-input.ts and the layers above read.
    files: ['src/schema/**/*.ts', 'src/engine/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'fs/*', 'child_process', 'net', 'http', 'https', 'dgram', 'worker_threads'],
              message: 'src/schema and src/engine are pure: do the I/O in src/read-input.ts or a layer above.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only the CLI layer, benchmarks and scripts talk to the terminal directly.
    files: ['src/bin/**', 'bench/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.test.ts', 'test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      complexity: 'off',
    },
  },
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    // The dashboard's plain browser modules (served as-is, no bundler).
    files: ['src/server/assets/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'history',
          'fetch',
          'EventSource',
          'requestAnimationFrame',
          'Element',
          'HTMLButtonElement',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
