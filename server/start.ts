/**
 * The production server: `npm start`. It builds the app if the build is missing or older than the sources,
 * opens the database (PGlite in ./data, or PostgreSQL through DATABASE_URL), migrates, seeds the demo once
 * (on PGlite, or on PostgreSQL only with SEED_DEMO=true: app/env.server.ts), starts the job queue (retention
 * purges: app/services/jobs.server.ts) and the aggregate folder (db/queries/aggregate-queue.ts) and serves on PORT. On SIGTERM or SIGINT it stops taking connections, closes the database and exits
 * promptly — remix-serve does not close the database (docs/decisions/003-production-server.md).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import { getEnv, plaintextDatabaseAllowed } from '../app/env.server.ts'
import { closeDatabase, getDatabaseHandle } from '../app/utils/db.server.ts'
import { log, logError, routeConsoleThroughLogger } from '../app/utils/logger.server.ts'
import { clientKeyFor } from '../app/utils/submission-limits.server.ts'
import { startJobs } from '../app/services/jobs.server.ts'
import { loadTotpKey } from '../app/utils/totp-secret-box.server.ts'
import { resealStoredTotpSecrets } from '../app/utils/two-factor.server.ts'
import { DEMO_ADMIN } from '../db/seed.ts'
import { countOperators } from '../db/queries/operators.ts'
import { startAggregateFolder } from '../db/queries/aggregate-queue.ts'
import { isDatabaseUnavailable } from '../db/client.ts'
import { createServerApp } from './app.ts'
import { createRequestHandler } from './remix-handler.ts'

const root = process.cwd()
const buildEntry = path.join(root, 'build/server/index.js')

function newestMtime(dir: string): number {
  let newest = 0
  if (!existsSync(dir)) return 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full))
    else newest = Math.max(newest, statSync(full).mtimeMs)
  }
  return newest
}

function buildIfNeeded(): void {
  const sources = Math.max(
    newestMtime(path.join(root, 'app')),
    newestMtime(path.join(root, 'survey-templates')),
    newestMtime(path.join(root, 'analysis')),
    newestMtime(path.join(root, 'db/queries')),
    statSync(path.join(root, 'package.json')).mtimeMs,
  )
  if (existsSync(buildEntry) && statSync(buildEntry).mtimeMs >= sources) return
  console.log('Building the app (first start, or sources changed)…')
  const result = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/@remix-run/dev/dist/cli.js'), 'vite:build'],
    {
      stdio: 'inherit',
      cwd: root,
    },
  )
  if (result.status !== 0) {
    console.error('The build failed; see the messages above.')
    process.exit(1)
  }
}

async function main() {
  // Optional .env (see .env.example); real environment variables win.
  if (existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'))
  const env = getEnv()
  // Two-factor secrets are sealed under TOTP_ENCRYPTION_KEY (docs/decisions/022-totp-secret-encryption.md): a
  // missing key on PostgreSQL stops the start here, with what to set.
  loadTotpKey()
  buildIfNeeded()
  // From here on, console.* from Remix, React Router and Express is a structured, allow-listed line
  // (app/utils/logger.server.ts); the banner below is written to stdout on purpose.
  routeConsoleThroughLogger()
  // A production database on another machine without TLS starts only when asked to (app/env.server.ts): say so.
  if (plaintextDatabaseAllowed(env)) log('warn', { event: 'database.plaintext', reason: 'DATABASE_ALLOW_PLAINTEXT' })
  const handle = await getDatabaseHandle()
  // Seal any secret stored before encryption (or under TOTP_ENCRYPTION_KEY_PREVIOUS) with the current key.
  const sealed = await resealStoredTotpSecrets(handle.db)
  if (sealed.resealed > 0) log('info', { event: 'totp.resealed', count: sealed.resealed })
  if (sealed.unreadable > 0) log('error', { event: 'totp.unreadable', count: sealed.unreadable, reason: 'no_configured_key_opens_them' })
  const build = (await import(pathToFileURL(buildEntry).href)) as ServerBuild

  const app = createServerApp({
    env,
    clientRoot: path.join(root, 'build/client'),
    handler: createRequestHandler({
      build,
      // The address itself never enters the app: only a keyed hash, for rate limits (utils/submission-limits).
      // req.ip is the socket's address unless TRUST_PROXY names the proxies to believe.
      getLoadContext: (req, res) => ({
        cspNonce: res.locals.cspNonce as string,
        clientKey: clientKeyFor(req.ip ?? req.socket.remoteAddress),
      }),
    }),
  })
  // Periodic work (each survey's retention period, now and hourly) as jobs on the PostgreSQL-backed queue, in
  // this process unless JOB_WORKER=false leaves it to `npm run worker` (docs/decisions/017-job-queue.md).
  const jobs = await startJobs(handle.db, { work: env.JOB_WORKER })
  // Submissions only queue their responses for the aggregates; fold the queue every second, off the request
  // path (db/queries/aggregate-queue.ts). Reads fold whatever is left, so they never wait for this timer.
  const folder = startAggregateFolder(handle.db, {
    onError: (error) =>
      isDatabaseUnavailable(error) ? log('warn', { event: 'aggregates.fold_deferred' }) : logError('aggregates.fold_failed', error),
  })
  const operators = await countOperators(handle.db)

  const server = app.listen(env.PORT, () => {
    log('info', { event: 'server.listening', port: env.PORT, driver: handle.driver })
    const say = (line: string) => process.stdout.write(`${line}\n`)
    const database = handle.driver === 'pglite' ? `embedded PGlite in ${env.PGLITE_DIR}` : 'PostgreSQL (DATABASE_URL)'
    if (env.SEED_DEMO) {
      say(`\nCSE Insight is running at http://localhost:${env.PORT}`)
      say(`  Demo survey:  http://localhost:${env.PORT}/s/demo`)
      say(`  Staff login:  http://localhost:${env.PORT}/login  (${DEMO_ADMIN.email} / ${DEMO_ADMIN.password})`)
      say(`  Database:     ${database}\n`)
    } else if (operators === 0) {
      // A production first start: no demo, no fixed password; say how to make the first operator.
      say(`\nCSE Insight is running on ${database}, with no platform operator yet. Create the first one with`)
      say('  npm run operator:create -- --email you@example.org')
      say('(it asks for a password), then create an organisation and its first admin with')
      say('  npm run org:create -- --name "Organisation name" --slug short-name --admin-email first.admin@example.org')
      say('or, signed in as the operator, on /operator/organisations.\n')
    }
  })
  server.keepAliveTimeout = 5_000

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    log('info', { event: 'server.stopping', signal })
    // Exit even if a client holds a connection open: 10 s is the usual orchestrator grace period.
    const force = setTimeout(() => process.exit(0), 8_000)
    force.unref()
    server.close(() => {
      void folder
        .stop()
        .then(() => jobs.stop())
        .catch((error) => logError('jobs.stop_failed', error))
        .then(() => closeDatabase())
        .catch((error) => logError('db.close_failed', error))
        .finally(() => process.exit(0))
    })
    server.closeIdleConnections()
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
