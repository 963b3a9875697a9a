import PgBoss from 'pg-boss'
import type { Database } from '#db/client.ts'
import { isDatabaseUnavailable } from '#db/client.ts'
import { purgeExpiredData } from '#app/services/retention.server.ts'
import { deliverMail, purgeInvitationAddresses, RetryLater, type MailJob } from '#app/services/invitation-mail.server.ts'
import { mailTransportFromEnv, type MailTransport } from '#app/services/mail-transport.server.ts'
import { log, logError } from '#app/utils/logger.server.ts'

/*
 * Periodic work as jobs on a PostgreSQL-backed queue: pg-boss (docs/decisions/017-job-queue.md), in the
 * `pgboss` schema of the app's own database, created and migrated by pg-boss itself at start. It works on
 * PostgreSQL and on the embedded PGlite default alike, because pg-boss runs every statement through the `db`
 * adapter below, on the connection the app already has (the node-postgres pool, or the PGlite instance).
 *
 * A job is stored before it runs, retried with back-off when it fails (a database restart, say), and taken by
 * exactly one worker when several app instances run (SELECT … FOR UPDATE SKIP LOCKED inside pg-boss). The
 * cron schedule lives in the database too, so every instance agrees on it and it fires once, not once per
 * instance.
 */

/** Every queue, and when its schedule fires (cron, UTC). */
export const JOBS = {
  /** Each survey's retention period, and expired save-and-resume drafts (app/services/retention.server.ts). */
  retentionPurge: { name: 'retention-purge', cron: '0 * * * *' },
  /** E-mail addresses no reminder can need any more (app/services/invitation-mail.server.ts). */
  invitationAddressPurge: { name: 'invitation-address-purge', cron: '30 * * * *' },
} as const

/** Invitation and reminder e-mails, one job per message, queued by staff (not on a schedule). */
export const MAIL_QUEUE = 'invitation-mail'

declare global {
  // The runner of this process, for routes that queue jobs (the Remix bundle and the server entry each hold
  // their own copy of this module, so it lives on globalThis, like the database in app/utils/db.server.ts).
  var __cseJobs: JobRunner | undefined
}

/** The pg-boss `db` adapter on the app's own connection. */
export function pgBossAdapter(db: Database): PgBoss.Db {
  const client = (db as unknown as { $client: unknown }).$client as {
    exec?: (text: string) => Promise<Array<{ rows: unknown[] }>>
    query: (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }>
  }
  if (typeof client.exec === 'function') {
    // PGlite: `query` takes one statement with parameters, `exec` a script of several without; pg-boss sends
    // both kinds (its migrations and locked multi-statement commands are scripts without values).
    const exec = client.exec.bind(client)
    return {
      async executeSql(text, values) {
        if (values && values.length > 0) return (await client.query(text, values)) as { rows: unknown[] }
        const results = await exec(text)
        return (results[results.length - 1] ?? { rows: [] }) as { rows: unknown[] }
      },
    }
  }
  // node-postgres Pool: the same call pg-boss makes on its own pool.
  return { executeSql: (text, values) => client.query(text, values) as Promise<{ rows: unknown[] }> }
}

export interface JobRunner {
  boss: PgBoss
  /** Queue a run of a job now (the schedule still runs it at its times). Returns the job id, or null when
   * one is already waiting. */
  runNow(job: keyof typeof JOBS): Promise<string | null>
  /** Queue invitation or reminder e-mails, one job each, retried with back-off. */
  queueMail(jobs: MailJob[]): Promise<void>
  stop(): Promise<void>
}

export interface MailJobOptions {
  /** Attempts at one message before its recipient is marked failed (default 4). */
  maxAttempts?: number
  /** The first retry's delay in seconds; each later one doubles, with jitter (default 60). */
  retryDelaySeconds?: number
  /** How often an idle mail worker looks for messages (default 2 s). */
  pollingIntervalSeconds?: number
  /** The transport (default: from the environment, app/services/mail-transport.server.ts). */
  transport?: () => MailTransport | null
}

export interface StartJobsOptions {
  /** Take and run jobs in this process (the web process by default; `npm run worker` runs them apart). */
  work?: boolean
  /** How often an idle worker looks for jobs. */
  pollingIntervalSeconds?: number
  /** Queue one retention purge at start, as well as on the schedule. */
  runAtStart?: boolean
  mail?: MailJobOptions
}

/** The handler of each queue. */
async function runJob(name: string, db: Database): Promise<void> {
  switch (name) {
    case JOBS.retentionPurge.name: {
      const summary = await purgeExpiredData(db)
      log('info', { event: `job.${name}.done`, count: summary.responses })
      return
    }
    case JOBS.invitationAddressPurge.name: {
      const deleted = await purgeInvitationAddresses(db)
      log('info', { event: `job.${name}.done`, count: deleted })
      return
    }
    default:
      throw new Error(`runJob: no handler for queue ${name}`)
  }
}

/**
 * Start pg-boss on the app's database: migrate its schema, create the queues, put their cron schedules in the
 * database, and (unless `work: false`) run workers for them in this process.
 */
export async function startJobs(db: Database, options: StartJobsOptions = {}): Promise<JobRunner> {
  const boss = new PgBoss({
    db: pgBossAdapter(db),
    schema: 'pgboss',
    // Keep finished jobs a week for inspection, then pg-boss deletes them.
    deleteAfterDays: 7,
  })
  boss.on('error', (error) => {
    if (isDatabaseUnavailable(error)) log('warn', { event: 'jobs.deferred' })
    else logError('jobs.error', error)
  })
  await boss.start()
  for (const job of Object.values(JOBS)) {
    // 'stately': at most one waiting and one running, so missed ticks never pile up.
    if (!(await boss.getQueue(job.name)))
      await boss.createQueue(job.name, { name: job.name, policy: 'stately', retryLimit: 5, retryDelay: 60, retryBackoff: true, expireInSeconds: 900 })
    await boss.schedule(job.name, job.cron, {}, { tz: 'UTC' })
    if (options.work !== false) {
      await boss.work(job.name, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 30 }, async (jobs) => {
        for (const one of jobs) {
          try {
            await runJob(one.name, db)
          } catch (error) {
            // Thrown on to pg-boss, which retries it later; logged here with the structured logger.
            if (isDatabaseUnavailable(error)) log('warn', { event: `job.${one.name}.deferred` })
            else logError(`job.${one.name}.failed`, error)
            throw error
          }
        }
      })
    }
  }
  const mail = await startMailQueue(boss, db, options.work !== false, options.mail ?? {})
  const runner: JobRunner = {
    boss,
    runNow: (job) => boss.send(JOBS[job].name, {}),
    queueMail: mail.queue,
    stop: async () => {
      if (globalThis.__cseJobs === runner) globalThis.__cseJobs = undefined
      await boss.stop({ graceful: true, wait: true, timeout: 5_000 })
    },
  }
  globalThis.__cseJobs = runner
  if (options.runAtStart !== false) await runner.runNow('retentionPurge')
  log('info', { event: options.work !== false ? 'jobs.started' : 'jobs.scheduled', count: Object.keys(JOBS).length })
  return runner
}

/**
 * The e-mail queue: each job sends one message (app/services/invitation-mail.server.ts `deliverMail`). Jobs
 * are taken in batches; a message that should be tried again is failed on its own (pg-boss schedules the
 * retry with back-off), so one bad address never holds up or fails the others.
 */
async function startMailQueue(
  boss: PgBoss,
  db: Database,
  work: boolean,
  options: MailJobOptions,
): Promise<{ queue: (jobs: MailJob[]) => Promise<void> }> {
  const maxAttempts = options.maxAttempts ?? 4
  const retry = { retryLimit: maxAttempts + 2, retryDelay: options.retryDelaySeconds ?? 60, retryBackoff: true }
  if (!(await boss.getQueue(MAIL_QUEUE)))
    await boss.createQueue(MAIL_QUEUE, { name: MAIL_QUEUE, policy: 'standard', ...retry, expireInSeconds: 300 })
  let workerId: string | undefined
  if (work) {
    const transportOf = options.transport ?? mailTransportFromEnv
    workerId = await boss.work<MailJob>(
      MAIL_QUEUE,
      { batchSize: 20, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 },
      async (jobs) => {
        const transport = transportOf()
        try {
          for (const job of jobs) {
            if (!transport) {
              await boss.fail(MAIL_QUEUE, job.id, { errorCode: 'mail_not_configured' })
              continue
            }
            try {
              await deliverMail(db, job.data, transport, maxAttempts)
            } catch (error) {
              // Only ids and an error code reach the job's record and the log, never an address or a token.
              const errorCode = error instanceof RetryLater ? error.code : 'error'
              if (!(error instanceof RetryLater)) {
                if (isDatabaseUnavailable(error)) log('warn', { event: `job.${MAIL_QUEUE}.deferred` })
                else logError(`job.${MAIL_QUEUE}.failed`, error)
              }
              await boss.fail(MAIL_QUEUE, job.id, { errorCode })
            }
          }
        } finally {
          transport?.close()
        }
      },
    )
  }
  return {
    async queue(jobs) {
      for (let i = 0; i < jobs.length; i += 1000) {
        await boss.insert(jobs.slice(i, i + 1000).map((data) => ({ name: MAIL_QUEUE, data, ...retry })))
      }
      if (workerId) boss.notifyWorker(workerId)
    },
  }
}

/** Whether this process can queue jobs (its runner has started). */
export function jobQueueRunning(): boolean {
  return globalThis.__cseJobs !== undefined
}

/** Queue mail through this process's job runner; throws when the queue is not running here. */
export async function queueMailJobs(jobs: MailJob[]): Promise<void> {
  const runner = globalThis.__cseJobs
  if (!runner) throw new Error('queueMailJobs: the job queue is not running in this process')
  await runner.queueMail(jobs)
}
