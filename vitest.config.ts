import { defineConfig } from 'vitest/config';

// Three projects: fast unit tests beside the code, integration tests against real processes
// (Prometheus, Alertmanager, SQLite, loopback HTTP), and end-to-end tests of the built CLI and dashboard.
// The last two first make sure the machine has what they spawn (scripts/test-prerequisites.ts).
const globalSetup = ['test/support/prerequisites-setup.ts'];
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'], testTimeout: 20_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          globalSetup,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          globalSetup,
        },
      },
    ],
  },
});
