import { defineConfig } from 'vitest/config'

// Three projects: `unit` is what `npm test` runs (pure code plus integration tests on in-memory PGlite),
// `pg` re-runs the database suites against real PostgreSQL (TEST_DATABASE_URL), and `browser` drives
// Debian's chromium against a built server. Keeping them apart lets `npm test` pass on a fresh clone.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/analysis/**/*.test.ts', 'tests/templates/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'pg',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
