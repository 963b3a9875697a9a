import { sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'

/*
 * The queue between `responses` and the maintained aggregates (db/migrations/0012_aggregate_queue.sql,
 * docs/decisions/009-maintained-aggregates.md). A submission only appends to `response_aggregate_queue`; these
 * functions fold queued responses into the aggregate tables. Every aggregate read folds its scope first
 * (resolveAggregateScope in db/queries/aggregates.ts), so a read counts every response committed before it;
 * the background folder keeps the queue short so that reads rarely have anything to fold.
 */

/** Queued responses folded per transaction by the background folder: bounds the time its lock is held. */
export const FOLD_BATCH = 5_000

/**
 * Folds every queued response of one organisation (of the listed surveys, or all of them) into the
 * aggregates, waiting for any fold of the organisation that is under way. Returns how many were folded; when
 * nothing is queued it costs one index probe and takes no lock.
 *
 * @example
 * await foldQueuedResponses(db, organisationId, [surveyId]) // then read response_segment_cells
 */
export async function foldQueuedResponses(
  db: Database,
  organisationId: string,
  surveyIds: string[] | null = null,
  limit: number | null = null,
): Promise<number> {
  if (surveyIds !== null && surveyIds.length === 0) return 0
  const surveys =
    surveyIds === null ? sql`null::uuid[]` : sql`array[${sql.join(surveyIds.map((id) => sql`${id}::uuid`), sql`, `)}]::uuid[]`
  const rows = rowsOf<{ n: number | string }>(
    await db.execute(sql`select cse_aggregates_fold(${organisationId}::uuid, ${surveys}, ${limit}::integer) as n`),
  )
  return Number(rows[0]?.n ?? 0)
}

/**
 * Folds the whole queue, organisation by organisation, at most {@link FOLD_BATCH} responses per transaction,
 * taking turns so that one busy organisation does not hold up the others. Returns how many were folded.
 */
export async function foldAllQueuedResponses(db: Database, batch = FOLD_BATCH): Promise<number> {
  let total = 0
  for (;;) {
    const organisations = rowsOf<{ id: string }>(
      await db.execute(sql`select distinct organisation_id::text as id from response_aggregate_queue`),
    )
    if (organisations.length === 0) return total
    let more = false
    for (const { id } of organisations) {
      const n = await foldQueuedResponses(db, id, null, batch)
      total += n
      if (n >= batch) more = true
    }
    if (!more) return total
  }
}

/** Responses written but not yet folded, in one organisation (every organisation when null). */
export async function countQueuedResponses(db: Database, organisationId: string | null): Promise<number> {
  const rows = rowsOf<{ n: number | string }>(
    await db.execute(sql`select count(*)::bigint as n from response_aggregate_queue
                          where ${organisationId}::uuid is null or organisation_id = ${organisationId}::uuid`),
  )
  return Number(rows[0]?.n ?? 0)
}

export interface AggregateFolder {
  /** Stops the timer and waits for a fold under way. */
  stop(): Promise<void>
}

/**
 * Folds the queue every `intervalMs` (default 1 s) in this process, one fold at a time. A failed fold is handed
 * to `onError` and tried again at the next tick: nothing is lost, the rows stay queued and reads fold them.
 */
export function startAggregateFolder(
  db: Database,
  options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
): AggregateFolder {
  const intervalMs = options.intervalMs ?? 1_000
  let running: Promise<void> | null = null
  let stopped = false
  const tick = () => {
    if (running || stopped) return
    running = foldAllQueuedResponses(db)
      .then(() => undefined)
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = null
      })
  }
  const timer = setInterval(tick, intervalMs)
  timer.unref()
  return {
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
