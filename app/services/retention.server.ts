import type { Database } from '#db/client.ts'
import { purgeExpiredResponses, purgeExpiredResumeTokens } from '#db/queries/responses.ts'
import { isDatabaseUnavailable } from '#db/client.ts'
import { log, logError } from '#app/utils/logger.server.ts'

/** How often the purge runs. Hourly keeps every response within an hour of its survey's retention period. */
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000

/**
 * Enforce each survey's retention period (UK GDPR storage limitation): delete responses older than the
 * survey's retention_days, and expired save-and-resume drafts. Safe to run at any time and in several
 * processes at once: each run is one DELETE per table.
 */
export async function purgeExpiredData(db: Database, now = new Date()): Promise<{ responses: number; resumeTokens: number }> {
  const responses = await purgeExpiredResponses(db, now)
  const resumeTokens = await purgeExpiredResumeTokens(db, now)
  if (responses > 0 || resumeTokens > 0) log('info', { event: 'retention.purged', count: responses, resumeTokens })
  return { responses, resumeTokens }
}

/**
 * Run the purge now and then every hour. A failed run (database restarting) is logged and retried at the next
 * tick; it never takes the process down. Returns a function that stops the timer.
 */
export function startRetentionSchedule(getDatabase: () => Promise<Database>, intervalMs = RETENTION_INTERVAL_MS): () => void {
  let running = false
  const run = async () => {
    if (running) return
    running = true
    try {
      await purgeExpiredData(await getDatabase())
    } catch (error) {
      if (isDatabaseUnavailable(error)) log('warn', { event: 'retention.deferred' })
      else logError('retention.failed', error)
    } finally {
      running = false
    }
  }
  void run()
  const timer = setInterval(() => void run(), intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
