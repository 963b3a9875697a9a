import { sql, type SQL } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'
import type {
  AggregateFilters,
  AggregateScope,
  AggregateSpec,
  AnswerPatterns,
  FinestCell,
  FinestCells,
  WaveSummary,
  WaveVersionFieldwork,
} from './aggregates.ts'
import { summariseWaves } from './aggregates.ts'

/*
 * The full scan: every function of db/queries/aggregates.ts that reads the maintained aggregate tables has its
 * twin here that counts the `responses` rows themselves, with the same result types. It is the definition the
 * maintained tables must equal (tests/integration/aggregates-maintained.test.ts compares them after random
 * submissions, imports, purges and erasures) and a way to check a database by hand; no request path uses it,
 * since its cost grows with the number of responses (docs/decisions/009-maintained-aggregates.md).
 */

type ResolvedScope = { organisationId: string; surveyIds: string[] }

async function resolveScope(db: Database, scope: AggregateScope): Promise<ResolvedScope> {
  if (scope.surveyIds !== undefined) return { organisationId: scope.organisationId, surveyIds: scope.surveyIds }
  if (scope.surveyId !== undefined) return { organisationId: scope.organisationId, surveyIds: [scope.surveyId] }
  const rows = rowsOf<{ id: string }>(
    await db.execute(
      sql`select id from surveys where organisation_id = ${scope.organisationId}::uuid and series_id = ${scope.seriesId}::uuid`,
    ),
  )
  return { organisationId: scope.organisationId, surveyIds: rows.map((r) => r.id) }
}

function list(values: ReadonlyArray<string | number>): SQL {
  return sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )
}

function whereClause(
  scope: ResolvedScope,
  filters: AggregateFilters,
  rakingLevels?: Record<string, string[]>,
): SQL {
  const out: SQL[] = [
    scope.surveyIds.length === 0
      ? sql`false`
      : sql`r.organisation_id = ${scope.organisationId}::uuid and r.survey_id in (${sql.join(
          scope.surveyIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`,
  ]
  if (filters.waves && filters.waves.length > 0) out.push(sql`r.wave in (${list(filters.waves)})`)
  if (filters.from) out.push(sql`r.submitted_at >= ${filters.from.toISOString()}::timestamptz`)
  if (filters.to) out.push(sql`r.submitted_at < ${filters.to.toISOString()}::timestamptz`)
  for (const [segment, values] of Object.entries(filters.segments ?? {})) {
    if (values.length === 0) continue
    out.push(sql`r.segments->>${segment}::text in (${list(values)})`)
  }
  for (const [variable, levels] of Object.entries(rakingLevels ?? {})) {
    out.push(levels.length === 0 ? sql`false` : sql`r.segments->>${variable}::text in (${list(levels)})`)
  }
  return sql.join(out, sql` and `)
}

/** {@link import('./aggregates.ts').loadFinestCells} by a scan of the responses. */
export async function scanFinestCells(
  db: Database,
  scope: AggregateScope,
  spec: Pick<AggregateSpec, 'ratings' | 'scaleValues' | 'segments' | 'rakingVariables'>,
  filters: AggregateFilters = {},
  options: { fieldwork?: boolean } = {},
): Promise<FinestCells> {
  const columns = [...new Set([...spec.segments, ...spec.rakingVariables])]
  const resolved = await resolveScope(db, scope)
  const cols = columns.map((name, i) => sql`coalesce(r.segments->>${name}::text, '') as ${sql.identifier(`c${i}`)}`)
  const counts: SQL[] = []
  for (const rating of spec.ratings)
    for (const v of spec.scaleValues) counts.push(sql`count(*) filter (where r.answers->>${rating}::text = ${String(v)}::text)`)
  const groupBy = sql.join(
    columns.map((_, i) => sql.identifier(`c${i}`)),
    sql`, `,
  )
  const rows = rowsOf<Record<string, unknown> & { wave: string; n: string | number; counts: string[] }>(
    await db.execute(sql`
      select r.wave${columns.length > 0 ? sql`, ${sql.join(cols, sql`, `)}` : sql``}, count(*)::bigint as n,
             ${counts.length > 0 ? sql`array[${sql.join(counts, sql`, `)}]::text[]` : sql`array[]::text[]`} as counts
        from responses r where ${whereClause(resolved, filters)}
       group by 1${columns.length > 0 ? sql`, ${groupBy}` : sql``}`),
  )
  const width = spec.scaleValues.length
  const SEP = '\u0001'
  const cells: Array<[string, FinestCell]> = rows.map((row) => {
    const values = columns.map((_, i) => String(row[`c${i}`] ?? ''))
    const flat = (row.counts ?? []).map(Number)
    return [
      String(row.wave) + SEP + values.join(SEP),
      {
        wave: String(row.wave),
        values,
        respondents: Number(row.n),
        counts: spec.ratings.map((_, i) => flat.slice(i * width, (i + 1) * width)),
      },
    ]
  })
  cells.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const out: FinestCells = { columns, cells: cells.map(([, c]) => c) }
  if (options.fieldwork) out.fieldwork = await scanFieldwork(db, resolved, filters)
  return out
}

async function scanFieldwork(db: Database, scope: ResolvedScope, filters: AggregateFilters): Promise<WaveVersionFieldwork[]> {
  const rows = rowsOf<{ wave: string; version_id: string; n: string | number; first_at: string | Date; last_at: string | Date }>(
    await db.execute(sql`
      select r.wave, r.survey_version_id::text as version_id, count(*)::bigint as n,
             min(r.submitted_at) as first_at, max(r.submitted_at) as last_at
        from responses r where ${whereClause(scope, filters)} group by 1, 2 order by 1, 2`),
  )
  return rows.map((p) => ({
    wave: p.wave,
    versionId: p.version_id,
    responses: Number(p.n),
    firstAt: new Date(p.first_at),
    lastAt: new Date(p.last_at),
  }))
}

/** {@link import('./aggregates.ts').listWaves} by a scan of the responses. */
export async function scanWaves(db: Database, scope: AggregateScope, waveOrder?: string[]): Promise<WaveSummary[]> {
  return summariseWaves(await scanFieldwork(db, await resolveScope(db, scope), {}), waveOrder)
}

/** {@link import('./aggregates.ts').loadAnswerPatterns} by a scan of the responses. */
export async function scanAnswerPatterns(
  db: Database,
  scope: AggregateScope,
  spec: Pick<AggregateSpec, 'scaleValues' | 'rakingLevels'>,
  filters: AggregateFilters,
  variables: ReadonlyArray<string>,
  wave?: string,
): Promise<AnswerPatterns> {
  const base = spec.scaleValues.length
  const out: AnswerPatterns = {
    variables: [...variables],
    scaleValues: [...spec.scaleValues],
    ...(wave === undefined ? {} : { waves: [wave] }),
    byWave: new Map(),
  }
  if (base === 0 || variables.length < 2) return out
  const scaleTexts = sql`array[${list(spec.scaleValues.map(String))}]::text[]`
  const positions = variables.map((v) => sql`(array_position(${scaleTexts}, r.answers->>${v}::text) - 1)`)
  const where = sql.join(
    [
      whereClause(await resolveScope(db, scope), filters, spec.rakingLevels),
      ...(wave === undefined ? [] : [sql`r.wave = ${wave}::text`]),
      ...positions.map((p) => sql`${p} is not null`),
    ],
    sql` and `,
  )
  let pattern: SQL = sql`${positions[0]!}::bigint`
  for (const p of positions.slice(1)) pattern = sql`(${pattern} * ${base}::bigint + ${p})`
  const rows = rowsOf<{ wave: string; pattern: string | number; n: string | number }>(
    await db.execute(sql`select r.wave, ${pattern} as pattern, count(*)::bigint as n from responses r where ${where} group by 1, 2 order by 1, 2`),
  )
  for (const row of rows) {
    const patterns = out.byWave.get(row.wave) ?? []
    patterns.push({ pattern: Number(row.pattern), count: Number(row.n) })
    out.byWave.set(row.wave, patterns)
  }
  return out
}

/** {@link import('./aggregates.ts').countResponses} by a scan of the responses. */
export async function scanCountResponses(
  db: Database,
  scope: AggregateScope,
  filters: AggregateFilters = {},
  rakingLevels?: Record<string, string[]>,
): Promise<{ total: number; outsideRakingLevels: number }> {
  const conditions = Object.entries(rakingLevels ?? {}).map(([variable, levels]) =>
    levels.length === 0 ? sql`true` : sql`coalesce(r.segments->>${variable}::text, '') not in (${list(levels)})`,
  )
  const outside = conditions.length > 0 ? sql.join(conditions, sql` or `) : sql`false`
  const rows = rowsOf<{ total: number | string; outside: number | string }>(
    await db.execute(
      sql`select count(*)::bigint as total, count(*) filter (where ${outside})::bigint as outside from responses r where ${whereClause(await resolveScope(db, scope), filters)}`,
    ),
  )
  return { total: Number(rows[0]?.total ?? 0), outsideRakingLevels: Number(rows[0]?.outside ?? 0) }
}

/** {@link import('./aggregates.ts').listSegmentValues} by a scan of the responses. */
export async function scanSegmentValues(
  db: Database,
  scope: AggregateScope,
  segments: ReadonlyArray<string>,
): Promise<Record<string, Array<{ value: string; count: number }>>> {
  const out: Record<string, Array<{ value: string; count: number }>> = Object.fromEntries(segments.map((s) => [s, []]))
  if (segments.length === 0) return out
  const rows = rowsOf<{ segment: string; value: string | null; n: number | string }>(
    await db.execute(sql`
      select s.segment, r.segments->>s.segment as value, count(*)::bigint as n
        from responses r
        cross join lateral (values ${sql.join(
          segments.map((s) => sql`(${s}::text)`),
          sql`, `,
        )}) as s(segment)
       where ${whereClause(await resolveScope(db, scope), {})}
       group by 1, 2
       order by 1, 3 desc, 2`),
  )
  for (const row of rows) {
    if (row.value === null) continue
    out[row.segment]?.push({ value: row.value, count: Number(row.n) })
  }
  return out
}
