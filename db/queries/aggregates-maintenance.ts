import { sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'
import { foldAllQueuedResponses, foldQueuedResponses } from './aggregate-queue.ts'

/*
 * Rebuilding and checking the maintained aggregates (db/migrations/0001_maintained_aggregates.sql, the
 * calendar cells of db/migrations/0009_calendar_cells.sql and the key-driver pairs of
 * db/migrations/0013_driver_pairs.sql). The
 * triggers and the fold (db/queries/aggregate-queue.ts) keep them exact, so a rebuild is for repair: after restoring `responses` from a
 * backup without its aggregate tables, after a manual data fix with triggers disabled, or to prove them
 * (cli/rebuild-aggregates.ts).
 */

/**
 * Empties the aggregates of one organisation (every organisation when null) and counts its responses again,
 * in one transaction that first takes a SHARE lock on `responses`: inserts, erasures and purges wait until it
 * commits (about 10 s per million responses on the 2-core bench machine, docs/benchmarks.md), so none can land
 * between the emptying and the recount. Readers are not blocked. Returns the number of responses counted.
 */
export async function rebuildAggregates(db: Database, organisationId: string | null): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table responses in share mode`)
    // A fold under way holds the queue in ROW EXCLUSIVE: wait for it, then start from an empty queue, since the
    // rebuild counts every response (db/migrations/0012_aggregate_queue.sql).
    await tx.execute(sql`lock table response_aggregate_queue in exclusive mode`)
    await tx.execute(
      sql`delete from response_aggregate_queue where ${organisationId}::uuid is null or organisation_id = ${organisationId}::uuid`,
    )
    const rows = rowsOf<{ n: string | number }>(
      await tx.execute(sql`select cse_aggregates_rebuild(${organisationId}::uuid) as n`),
    )
    // The calendar cells are derived from the day cells just rebuilt (cse_calendar_rebuild, 0009).
    await tx.execute(sql`select cse_calendar_rebuild(${organisationId}::uuid)`)
    // The key-driver pairs of every registered set, from the answer patterns just rebuilt (cse_driver_sets_refill, 0013).
    await tx.execute(sql`select cse_driver_sets_refill(${organisationId}::uuid)`)
    return Number(rows[0]?.n ?? 0)
  })
}

export interface AggregateMismatch {
  organisationId: string
  surveyId: string
  responses: number
  /**
   * totals of response_fieldwork, response_segment_cells, response_answer_patterns, response_day_cells, and
   * of response_calendar_cells' day rows and month rows
   */
  tables: [number, number, number, number, number, number]
}

/**
 * Per survey of one organisation (every organisation when null): the number of responses beside the total
 * of each aggregate table; returns the surveys where any differs (none when the aggregates are sound). A quick
 * check by totals, one scan of the responses; tests/integration/aggregates-maintained.test.ts checks every cell.
 */
export async function checkAggregateTotals(db: Database, organisationId: string | null): Promise<AggregateMismatch[]> {
  // Responses still queued are not counted yet: fold them first, as every read does.
  if (organisationId === null) await foldAllQueuedResponses(db)
  else await foldQueuedResponses(db, organisationId)
  const rows = rowsOf<{ o: string; s: string; n: string; a: string; b: string; c: string; d: string; e: string; f: string }>(
    await db.execute(sql`
      with keys as (
        select organisation_id as o, survey_id as s, count(*) as n from responses
         where ${organisationId}::uuid is null or organisation_id = ${organisationId}::uuid group by 1, 2
      ), a as (select organisation_id as o, survey_id as s, sum(responses) as t from response_fieldwork group by 1, 2),
         b as (select organisation_id as o, survey_id as s, sum(responses) as t from response_segment_cells group by 1, 2),
         c as (select organisation_id as o, survey_id as s, sum(responses) as t from response_answer_patterns group by 1, 2),
         d as (select organisation_id as o, survey_id as s, sum(responses) as t from response_day_cells group by 1, 2),
         e as (select organisation_id as o, survey_id as s, sum(responses) filter (where period = 'day') as t,
                      sum(responses) filter (where period = 'month') as u from response_calendar_cells group by 1, 2),
         everything as (select o, s from keys union select o, s from a union select o, s from b union select o, s from c
                        union select o, s from d union select o, s from e)
      select x.o, x.s, coalesce(keys.n, 0)::text as n, coalesce(a.t, 0)::text as a, coalesce(b.t, 0)::text as b,
             coalesce(c.t, 0)::text as c, coalesce(d.t, 0)::text as d, coalesce(e.t, 0)::text as e,
             coalesce(e.u, 0)::text as f
        from everything x left join keys using (o, s) left join a using (o, s) left join b using (o, s)
             left join c using (o, s) left join d using (o, s) left join e using (o, s)
       where ${organisationId}::uuid is null or x.o = ${organisationId}::uuid`),
  )
  return rows
    .map((r) => ({
      organisationId: r.o,
      surveyId: r.s,
      responses: Number(r.n),
      tables: [Number(r.a), Number(r.b), Number(r.c), Number(r.d), Number(r.e), Number(r.f)] as [
        number,
        number,
        number,
        number,
        number,
        number,
      ],
    }))
    .filter((m) => m.tables.some((t) => t !== m.responses))
}

/** A registered key-driver set whose kept pairs differ from a recount (see {@link checkDriverPairs}). */
export interface DriverPairsMismatch {
  organisationId: string
  surveyId: string
  driverSet: string
  /** pair rows kept but not in the recount, or with another count */
  kept: number
  /** pair rows of the recount missing or different among those kept */
  recounted: number
}

/** Thrown inside checkDriverPairs' transaction to roll its recount back. */
class RollBack extends Error {}

/**
 * Per registered key-driver set of one organisation (every organisation when null): the pairs the fold kept
 * (db/migrations/0013_driver_pairs.sql) against a recount from the answer patterns (cse_driver_sets_refill).
 * The recount is made inside a transaction that is rolled back, after taking the organisations' aggregate locks
 * in key order (as a fold does), so it changes nothing and no fold lands halfway. Returns the sets that differ.
 */
export async function checkDriverPairs(db: Database, organisationId: string | null): Promise<DriverPairsMismatch[]> {
  let found: DriverPairsMismatch[] = []
  const scoped = sql`${organisationId}::uuid is null or organisation_id = ${organisationId}::uuid`
  try {
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(k) from (
        select distinct cse_aggregates_lock_key(organisation_id) as k from response_driver_sets where ${scoped} order by 1) x`)
      await tx.execute(sql`create temp table cse_kept_pairs on commit drop as
        select organisation_id, survey_id, driver_set, wave, x, y, x_value, y_value, responses from response_driver_pairs where ${scoped}`)
      await tx.execute(sql`select cse_driver_sets_refill(${organisationId}::uuid)`)
      const rows = rowsOf<{ o: string; s: string; k: string; kept: string | number; recounted: string | number }>(
        await tx.execute(sql`
          with recount as (
            select organisation_id, survey_id, driver_set, wave, x, y, x_value, y_value, responses from response_driver_pairs where ${scoped}
          ), kept_only as (select * from cse_kept_pairs except select * from recount),
             recount_only as (select * from recount except select * from cse_kept_pairs),
             differing as (select organisation_id, survey_id, driver_set, 1 as kept, 0 as recounted from kept_only
                           union all select organisation_id, survey_id, driver_set, 0, 1 from recount_only)
          select organisation_id::text as o, survey_id::text as s, driver_set as k, sum(kept)::bigint as kept,
                 sum(recounted)::bigint as recounted
            from differing group by 1, 2, 3 order by 1, 2, 3`),
      )
      found = rows.map((r) => ({ organisationId: r.o, surveyId: r.s, driverSet: r.k, kept: Number(r.kept), recounted: Number(r.recounted) }))
      throw new RollBack()
    })
  } catch (error) {
    if (!(error instanceof RollBack)) throw error
  }
  return found
}
