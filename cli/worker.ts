/**
 * npm run worker
 *
 * Runs the job queue's workers (retention purges; app/services/jobs.server.ts) in a process of their own, for
 * installations on PostgreSQL that start the web processes with JOB_WORKER=false. It opens the database the
 * server would (DATABASE_URL; an optional .env is read), migrates it, and runs until SIGTERM or SIGINT, when it
 * lets a running job finish (up to 5 s) and exits. Embedded PGlite belongs to one process, so there the web
 * server runs the jobs itself.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { getEnv, plaintextDatabaseAllowed } from '#app/env.server.ts'
import { startJobs } from '#app/services/jobs.server.ts'
import { log, logError } from '#app/utils/logger.server.ts'
import { openDatabase } from '#db/client.ts'

async function main(): Promise<void> {
  const envFile = path.join(process.cwd(), '.env')
  if (existsSync(envFile)) process.loadEnvFile(envFile)
  const env = getEnv()
  // As at the server's start (server/start.ts): a production connection without TLS is allowed only explicitly.
  if (plaintextDatabaseAllowed(env)) log('warn', { event: 'database.plaintext', reason: 'DATABASE_ALLOW_PLAINTEXT' })
  if (!env.DATABASE_URL) throw new Error('npm run worker needs DATABASE_URL: on embedded PGlite the web server runs the jobs itself')
  const handle = await openDatabase({ url: env.DATABASE_URL, poolMax: 4, onPoolError: (error) => logError('db.pool_error', error) })
  await handle.migrate()
  const jobs = await startJobs(handle.db, { work: true })
  const stop = (signal: string) => {
    log('info', { event: 'worker.stopping', signal })
    void jobs
      .stop()
      .then(() => handle.close())
      .finally(() => process.exit(0))
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
