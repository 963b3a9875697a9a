/**
 * The production server: `npm start`. It builds the app if the build is missing or older than the sources,
 * opens the database (PGlite in ./data, or PostgreSQL through DATABASE_URL), migrates, seeds the demo once,
 * and serves on PORT. On SIGTERM or SIGINT it stops taking connections, closes the database and exits
 * promptly — remix-serve does not close the database (docs/decisions/003-production-server.md).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { createRequestHandler } from '@remix-run/express'
import type { ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express from 'express'
import { getEnv } from '../app/env.server.ts'
import { closeDatabase, getDatabaseHandle } from '../app/utils/db.server.ts'
import { log, logError } from '../app/utils/logger.server.ts'
import { applySecurityHeaders, checkOrigin, newNonce } from '../app/utils/http-guards.server.ts'
import { clientKeyFor } from '../app/utils/submission-limits.server.ts'
import { startRetentionSchedule } from '../app/services/retention.server.ts'
import { DEMO_ADMIN } from '../db/seed.ts'

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
  buildIfNeeded()
  const handle = await getDatabaseHandle()
  const build = (await import(pathToFileURL(buildEntry).href)) as ServerBuild

  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', false)
  app.use((req, res, next) => {
    const started = performance.now()
    res.on('finish', () => {
      // A path that matched nothing is whatever someone typed or pasted: log that it was not found, not what it was.
      const path = res.statusCode === 404 ? '(not found)' : req.path
      log('info', {
        event: 'http',
        method: req.method,
        path,
        status: res.statusCode,
        durationMs: Math.round(performance.now() - started),
      })
    })
    next()
  })
  app.use((req, res, next) => {
    res.locals.cspNonce = newNonce()
    applySecurityHeaders(req.path, res.locals.cspNonce as string, (name, value) => res.setHeader(name, value))
    const refusal = checkOrigin({
      method: req.method,
      path: req.path,
      origin: req.get('origin'),
      secFetchSite: req.get('sec-fetch-site'),
      host: req.get('host'),
      publicOrigin: env.PUBLIC_ORIGIN,
    })
    if (refusal) {
      res.status(403).type('text/plain').send(refusal)
      return
    }
    next()
  })
  // Respondents are often on slow phones: gzip the pages, scripts and styles (about 4x smaller). Small JSON
  // answers from the API stay under the 1 KiB threshold and are sent as they are.
  app.use(
    compression({
      // Progress streams (import) must reach the page line by line, not in gzip-sized blocks; API answers are a
      // few bytes, streamed without a length, and would only pay zlib's set-up on the submission hot path.
      filter: (req, res) =>
        !req.path.startsWith('/api/') &&
        !/ndjson|event-stream/.test(String(res.getHeader('Content-Type') ?? '')) &&
        compression.filter(req, res),
    }),
  )
  app.use(
    '/assets',
    express.static(path.join(root, 'build/client/assets'), { immutable: true, maxAge: '1y' }),
  )
  app.use(express.static(path.join(root, 'build/client'), { maxAge: '1h' }))
  app.all(
    '*',
    createRequestHandler({
      build,
      // The address itself never enters the app: only a keyed hash, for rate limits (utils/submission-limits).
      getLoadContext: (req, res) => ({
        cspNonce: res.locals.cspNonce as string,
        clientKey: clientKeyFor(req.socket.remoteAddress),
      }),
    }),
  )
  // Each survey's retention period, enforced now and hourly (services/retention.server.ts).
  const stopRetention = startRetentionSchedule(async () => (await getDatabaseHandle()).db)

  const server = app.listen(env.PORT, () => {
    log('info', { event: 'server.listening', port: env.PORT, driver: handle.driver })
    if (env.SEED_DEMO) {
      console.log(`\nCSE Insight is running at http://localhost:${env.PORT}`)
      console.log(`  Demo survey:  http://localhost:${env.PORT}/s/demo`)
      console.log(
        `  Staff login:  http://localhost:${env.PORT}/login  (${DEMO_ADMIN.email} / ${DEMO_ADMIN.password})`,
      )
      console.log(
        `  Database:     ${handle.driver === 'pglite' ? `embedded PGlite in ${env.PGLITE_DIR}` : 'PostgreSQL (DATABASE_URL)'}\n`,
      )
    }
  })
  server.keepAliveTimeout = 5_000

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    stopRetention()
    log('info', { event: 'server.stopping', signal })
    // Exit even if a client holds a connection open: 10 s is the usual orchestrator grace period.
    const force = setTimeout(() => process.exit(0), 8_000)
    force.unref()
    server.close(() => {
      void closeDatabase()
        .catch((error) => logError('db.close_failed', error))
        .finally(() => process.exit(0))
    })
    server.closeIdleConnections()
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
