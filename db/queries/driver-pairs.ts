import { sql } from 'drizzle-orm'
import type { PairTally } from '../../analysis/aggregates.ts'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'
import type { ResolvedScope } from './aggregates.ts'

/*
 * Key-driver input kept by the fold (db/migrations/0013_driver_pairs.sql): for each registered set of variables
 * and scale, the joint counts of every pair of variables over one wave's complete cases. It replaces the read of
 * every answer pattern of the wave (db/queries/aggregates.ts loadAnswerPatterns) when nothing but waves filters
 * the responses; filtered requests still read the patterns of response_day_cells.
 */

const uuidArray = (ids: ReadonlyArray<string>) => sql`array[${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)}]::uuid[]`
const textArray = (xs: ReadonlyArray<string>) =>
  xs.length === 0 ? sql`array[]::text[]` : sql`array[${sql.join(xs.map((x) => sql`${x}::text`), sql`, `)}]::text[]`

/**
 * The pair tallies of `wave`'s complete cases (every variable answered with a value of `scaleValues`), summed over
 * the scope's surveys, in the order of {@link import('./aggregates.ts').pairTalliesFromPatterns}: by the pair's
 * positions in `variables`, then by the positions of its values on the scale; only non-zero counts. Equal to
 * pairTalliesFromPatterns over loadAnswerPatterns of the same wave (tests/integration/aggregates-maintained.test.ts).
 *
 * The first read of a set for a survey registers it, which counts its pairs from response_answer_patterns once
 * (cse_driver_set_register); from then on the fold keeps them, and a read costs a few hundred rows.
 *
 * @example
 * const pairs = await loadDriverPairs(db, await resolveAggregateScope(db, scope), [5, 4, 3, 2, 1], ['overall', 'delivery'], '2026')
 */
export async function loadDriverPairs(
  db: Database,
  scope: ResolvedScope,
  scaleValues: ReadonlyArray<number>,
  variables: ReadonlyArray<string>,
  wave: string,
): Promise<PairTally[]> {
  if (new Set(variables).size !== variables.length)
    throw new Error(`loadDriverPairs: the variables must be distinct, got ${variables.join(', ')}`)
  if (scope.surveyIds.length === 0 || variables.length < 2 || scaleValues.length === 0) return []
  const scale = scaleValues.map(String)
  const surveys = uuidArray(scope.surveyIds)
  const registered = rowsOf<{ key: string }>(
    await db.execute(
      sql`select cse_driver_set_register(${scope.organisationId}::uuid, ${surveys}, ${textArray(variables)}, ${textArray(scale)}) as key`,
    ),
  )
  const key = registered[0]!.key
  const rows = rowsOf<{ x: string; y: string; xv: string; yv: string; n: number }>(
    await db.execute(sql`select c.x, c.y, c.x_value as xv, c.y_value as yv, sum(c.responses)::float8 as n
                           from response_driver_pairs c
                          where c.organisation_id = ${scope.organisationId}::uuid and c.survey_id = any (${surveys})
                            and c.driver_set = ${key} and c.wave = ${wave}::text
                          group by 1, 2, 3, 4`),
  )
  // Positions as array_position gives them in loadAnswerPatterns: the first, should a value repeat on the scale.
  const variableAt = new Map(variables.map((v, i) => [v, i]))
  const valueAt = new Map<string, number>()
  scale.forEach((s, i) => {
    if (!valueAt.has(s)) valueAt.set(s, i)
  })
  const base = scale.length
  const placed = rows
    .filter((r) => Number(r.n) > 0)
    .map((r) => {
      const i = variableAt.get(r.x)!
      const j = variableAt.get(r.y)!
      const x = valueAt.get(r.xv)!
      const y = valueAt.get(r.yv)!
      return { order: ((i * variables.length + j) * base + x) * base + y, tally: { x: r.x, y: r.y, xValue: scaleValues[x]!, yValue: scaleValues[y]!, count: Number(r.n) } }
    })
  placed.sort((a, b) => a.order - b.order)
  return placed.map((p) => p.tally)
}
