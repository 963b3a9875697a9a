import { configDefaults, defineConfig } from 'vitest/config'

// Three projects: `unit` is what `npm test` runs (pure code plus integration tests on in-memory PGlite),
// `pg` re-runs the database suites against real PostgreSQL (TEST_DATABASE_URL), and `browser` drives
// Debian's chromium against a built server. Keeping them apart lets `npm test` pass on a fresh clone.
//
// One TOTP encryption key for every test process and every server a test starts (tests/support/server.ts
// inherits it), so secrets sealed by fixtures open in the server (app/utils/totp-secret-box.server.ts). A test
// key, used nowhere else; tests/integration/totp-secret-encryption.test.ts covers the key file made without it.
const env = { TOTP_ENCRYPTION_KEY: 'dGVzdC1vbmx5IGtleTogY3NlLWluc2lnaHQgdG90cCE=' }

// Two files at a time in the database suites. Vitest's default in `run` mode is one fewer worker than CPUs,
// which on the 2-core CI machine is one, while a file spends much of its time waiting (on PGlite's single
// thread or a PostgreSQL server process). Each file has its own database (tests/support/database.ts), so files
// do not share state. The browser suite stays one file at a time: each file runs chromium and an app server,
// which keep both cores busy; two at once saved little (605 s against 670 s, 2026-12-03) and once timed out a
// sign-in (docs/benchmarks.md, "Test suites and CI").
const maxWorkers = 2

// The database suites run their files in worker threads, not child processes (vitest's default `forks`): the same
// isolation (a fresh module graph per file), without a Node process to start per file. Measured on 2026-12-03
// (docs/benchmarks.md, "Less work per run"): 31 files back to back, 78.8 CPU-seconds with forks against 66.9
// with threads (-15%); the whole of `npm test` 426 CPU-seconds against 571 (a busier machine for threads).
// The browser suite keeps forks (not measured with threads: its time is in chromium and the app servers).
const pool = 'threads'

// Each file keeps its own module graph (vitest's default `isolate: true`). Without isolation `npm test` used 29%
// less CPU (407 against 571 CPU-seconds, mostly imports), but 35 tests in 11 integration files failed on state
// left by an earlier file in the same process (docs/benchmarks.md, "Less work per run").

// tests/integration files that never read TEST_DATABASE_URL: in-process servers with their own handlers, the
// logger, an in-process SMTP server. The `pg` project leaves them to `unit`.
const noDatabase = ['logging-and-proxy', 'mail-smtp', 'security-logging', 'server-body-limits', 'server-headers', 'server-sign-in-flood']

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // One migrated PGlite image for every file's createTestDatabase (tests/support/pglite-template.ts)
          globalSetup: ['tests/support/pglite-template.ts'],
          include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/analysis/**/*.test.ts', 'tests/templates/**/*.test.ts'],
          environment: 'node',
          env,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool,
          maxWorkers,
        },
      },
      {
        test: {
          name: 'pg',
          // One migrated PostgreSQL template copied for every file's database (tests/support/postgres-template.ts)
          globalSetup: ['tests/support/setup/postgres-migrated.ts'],
          include: ['tests/integration/**/*.test.ts'],
          // Files that open no database (no createTestDatabase, no server, no CLI on one) run exactly as in
          // `unit`: a second run here tested nothing new and cost each file's imports again.
          exclude: [...configDefaults.exclude, ...noDatabase.map((name) => `tests/integration/${name}.test.ts`)],
          environment: 'node',
          env,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool,
          maxWorkers,
        },
      },
      {
        test: {
          name: 'browser',
          // One migrated and seeded PostgreSQL template copied for every test server (tests/support/server.ts)
          globalSetup: ['tests/support/setup/postgres-seeded.ts'],
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          env,
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // expect.poll waits for the page to show a result (a server round trip and a React commit). Its 1 s
          // default failed on a busy machine (tests/browser/builder-logic.test.ts, load average near 30).
          expect: { poll: { timeout: 15_000 } },
          fileParallelism: false,
        },
      },
    ],
  },
})
