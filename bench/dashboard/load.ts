/*
 * Bulk-loads synthetic core-template responses into real PostgreSQL for the dashboard benchmark.
 *
 *   npx tsx bench/dashboard/load.ts --responses 1000000 [--url postgres://postgres@127.0.0.1:5432/cse_bench]
 *     [--batch 250000] [--defer-aggregates]
 *
 * The database (default cse_bench) is created and migrated if needed; a bench organisation and survey
 * ("bench-core", core satisfaction + equality block, default population on age_band × sex) are created once,
 * then responses are generated inside PostgreSQL with generate_series in batches (no rows cross the wire),
 * until the survey holds the requested number. Ratings follow a latent model with group effects, a halo and
 * a few "don't know" answers, like the demo seed, so the statistics do real work. Two waves, "2025" (47%) and
 * "2026" (53%, with better timeliness), so the trend test and the key drivers (latest wave) have work to do.
 *
 * Aggregates (db/migrations/0001_maintained_aggregates.sql): by default every batch is one INSERT … SELECT,
 * so the statement triggers on `responses` maintain the aggregate tables exactly as they do for an import.
 * With --defer-aggregates the batches run with `session_replication_role = replica` (this session only; the
 * triggers do not fire) and the loader then runs the product's rebuild, rebuildAggregates and
 * checkAggregateTotals of db/queries/aggregates-maintenance.ts — what `npm run aggregates:rebuild -- --org
 * bench-council` runs — for the bench organisation. The bench never writes an aggregate row itself. A load
 * that finds the aggregates inconsistent at start (an interrupted deferred load) also ends with a rebuild.
 */
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { and, eq, sql } from 'drizzle-orm'
import { openDatabase, rowsOf } from '../../db/client.ts'
import { checkAggregateTotals, rebuildAggregates } from '../../db/queries/aggregates-maintenance.ts'
import { createSurvey, publishSurvey } from '../../db/queries/surveys.ts'
import { populationProfiles, surveys } from '../../db/schema.ts'
import { DEMO_POPULATION } from '../../db/seed.ts'
import { composeSurvey } from '../../survey-templates/index.ts'

export const BENCH_ORG_SLUG = 'bench-council'
export const BENCH_SURVEY_SLUG = 'bench-core'

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name)
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url)
  const name = target.pathname.slice(1)
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bench database name "${name}" must be a plain identifier`)
  const admin = new URL(url)
  admin.pathname = '/postgres'
  const client = new pg.Client({ connectionString: admin.toString() })
  await client.connect()
  const exists = await client.query('select 1 from pg_database where datname = $1', [name])
  if (exists.rowCount === 0) await client.query(`create database ${name}`)
  await client.end()
}

async function main(): Promise<void> {
  const url = arg('--url', process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/cse_bench')
  const wanted = Number(arg('--responses', '100000'))
  const batch = Number(arg('--batch', '250000'))
  const defer = process.argv.includes('--defer-aggregates')
  await ensureDatabase(url)
  const handle = await openDatabase({ url, poolMax: 2 })
  await handle.migrate()
  const db = handle.db
  // The organisation and its admin by plain SQL on the columns the bench needs, so that the loader does not
  // depend on columns other work adds to organisations and users (the survey itself goes through the product).
  const orgId = async () =>
    rowsOf<{ id: string }>(await db.execute(sql`select id from organisations where slug = ${BENCH_ORG_SLUG}`))[0]?.id
  let organisationId = await orgId()
  if (!organisationId) {
    organisationId = rowsOf<{ id: string }>(
      await db.execute(sql`insert into organisations (slug, name) values (${BENCH_ORG_SLUG}, 'Bench Council') returning id`),
    )[0]!.id
    const userId = rowsOf<{ id: string }>(
      await db.execute(sql`insert into users (email, name, password_hash) values (${`bench-${Date.now()}@bench.example`}, 'Bench', 'x') returning id`),
    )[0]!.id
    await db.execute(sql`insert into memberships (organisation_id, user_id, role) values (${organisationId}::uuid, ${userId}::uuid, 'admin')`)
    const organisation = { id: organisationId }
    const user = { id: userId }
    const { definition, metadata } = composeSurvey(['core-satisfaction', 'equality-monitoring'], { title: 'Bench' })
    const survey = await createSurvey(db, {
      organisationId: organisation.id,
      slug: BENCH_SURVEY_SLUG,
      title: 'Bench core satisfaction',
      wave: '2026',
      templateId: 'core-satisfaction',
      definition,
      metadata,
    })
    await publishSurvey(db, organisation.id, survey.id, user.id)
    await db.insert(populationProfiles).values({
      organisationId: organisation.id,
      name: 'Bench population',
      total: DEMO_POPULATION.total,
      margins: DEMO_POPULATION.margins,
      isDefault: true,
    })
  }
  const organisation = { id: organisationId }
  const [survey] = await db
    .select({ id: surveys.id, currentVersionId: surveys.currentVersionId })
    .from(surveys)
    .where(and(eq(surveys.organisationId, organisation.id), eq(surveys.slug, BENCH_SURVEY_SLUG)))
  if (!survey?.currentVersionId) throw new Error('bench survey missing')
  const count = async () =>
    Number(rowsOf<{ n: string }>(await db.execute(sql`select count(*) as n from responses where survey_id = ${survey.id}`))[0]!.n)
  let have = await count()
  const inconsistent = (await checkAggregateTotals(db, organisation.id)).length > 0
  console.log(
    `bench survey holds ${have} responses; target ${wanted}; aggregates ${inconsistent ? 'INCONSISTENT (will rebuild)' : 'consistent'}; ` +
      `${defer ? 'triggers skipped while loading, one rebuild at the end' : 'aggregates maintained by the triggers'}`,
  )
  const started = performance.now()
  let loaded = 0
  while (have < wanted) {
    const n = Math.min(batch, wanted - have)
    const t0 = performance.now()
    const insert = (tx: typeof db) =>
      tx.execute(sql`
      insert into responses (organisation_id, survey_id, survey_version_id, client_id, payload_hash, receipt, wave, answers, segments, source, submitted_at)
      select ${organisation.id}::uuid, ${survey.id}::uuid, ${survey.currentVersionId}::uuid, gen_random_uuid(), md5(g.i::text),
             'BENCH-' || g.i, g.wave,
             jsonb_build_object(
               'overall', g.overall, 'delivery', g.delivery, 'timeliness', g.timeliness, 'information', g.information,
               'access', g.access, 'professionalism', g.professionalism, 'staff_attitude', g.staff_attitude,
               'service', g.service, 'channel', g.channel, 'age_band', g.age_band, 'sex', g.sex, 'long_term_condition', g.ltc),
             jsonb_build_object('service', g.service, 'channel', g.channel, 'age_band', g.age_band, 'sex', g.sex, 'long_term_condition', g.ltc),
             'import', g.submitted_at
        from (
          select d.i, d.wave, d.service, d.channel, d.age_band, d.sex, d.ltc, d.submitted_at,
                 rate(d.base + d.halo + 0.36 * d.z1 + 0.26 * d.z2 + 0.10 * d.z3 + 0.05 * d.z4 + 0.08 * d.z5 + 0.15 * d.z6 + 0.3 * d.e0, d.u0, 0.01) as overall,
                 rate(d.base + d.halo + d.z1, d.u1, 0.04) as delivery,
                 rate(d.base + d.halo + d.z2 + case when d.wave = '2026' then 0.35 else 0 end, d.u2, 0.04) as timeliness,
                 rate(d.base + d.halo + d.z3, d.u3, 0.04) as information,
                 rate(d.base + d.halo + d.z4, d.u4, 0.08) as access,
                 rate(d.base + d.halo + d.z5, d.u5, 0.04) as professionalism,
                 rate(d.base + d.halo + d.z6, d.u6, 0.04) as staff_attitude
            from (
              select s.*,
                     (case s.channel when 'phone' then -0.15 when 'online' then 0.2 when 'in_person' then 0.25 else -0.35 end)
                   + (case s.service when 'waste_recycling' then 0.3 when 'council_tax' then -0.25 when 'parking' then -0.45 else 0.55 end)
                   + (case s.age_band when '16-24' then -0.3 when '25-34' then -0.2 when '35-44' then -0.1 when '45-54' then 0
                        when '55-64' then 0.15 when '65-74' then 0.3 else 0.35 end)
                   + (case when s.ltc = 'yes' then -0.3 else 0 end) + 0.2 as base
                from (
                  select i,
                         case when random() < 0.47 then '2025' else '2026' end as wave,
                         (array['waste_recycling','waste_recycling','waste_recycling','council_tax','council_tax','council_tax','parking','libraries','libraries'])[1 + floor(random() * 9)::int] as service,
                         (array['phone','phone','phone','online','online','online','online','in_person','in_person','letter'])[1 + floor(random() * 10)::int] as channel,
                         (array['16-24','25-34','25-34','35-44','35-44','45-54','45-54','45-54','55-64','55-64','55-64','55-64','65-74','65-74','65-74','65-74','75_plus','75_plus','75_plus'])[1 + floor(random() * 19)::int] as age_band,
                         case when random() < 0.58 then 'female' else 'male' end as sex,
                         case when random() < 0.24 then 'yes' when random() < 0.92 then 'no' else 'prefer_not_to_say' end as ltc,
                         0.6 * z() as halo, 0.8 * z() as z1, 0.8 * z() as z2, 0.8 * z() as z3, 0.8 * z() as z4, 0.8 * z() as z5, 0.8 * z() as z6, z() as e0,
                         random() as u0, random() as u1, random() as u2, random() as u3, random() as u4, random() as u5, random() as u6,
                         timestamptz '2025-09-01' + random() * interval '400 days' as submitted_at
                    from generate_series(${have + 1}::bigint, ${have + n}::bigint) as i
                ) s
            ) d
        ) g`)
    if (defer)
      await db.transaction(async (tx) => {
        // Only this transaction skips the triggers (a superuser setting, on the bench database only): nothing
        // is left disabled if the loader stops half-way, and the next run sees the gap and rebuilds.
        await tx.execute(sql`set local session_replication_role = replica`)
        await insert(tx as unknown as typeof db)
      })
    else await insert(db)
    have += n
    loaded += n
    console.log(`  +${n} in ${((performance.now() - t0) / 1000).toFixed(1)} s (now ${have})`)
  }
  console.log(`loaded ${loaded} responses in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  if ((defer && loaded > 0) || inconsistent) {
    const t0 = performance.now()
    const counted = await rebuildAggregates(db, organisation.id)
    console.log(`rebuilt the aggregates of ${BENCH_ORG_SLUG} over ${counted} responses in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  }
  const t1 = performance.now()
  // Vacuumed as autovacuum would leave them (visibility map set, so count(*) can use an index-only scan).
  for (const table of ['responses', 'response_fieldwork', 'response_segment_cells', 'response_answer_patterns', 'response_day_cells'])
    await db.execute(sql`vacuum (analyze) ${sql.identifier(table)}`)
  console.log(`vacuum (analyze) in ${((performance.now() - t1) / 1000).toFixed(1)} s`)
  const sizes = rowsOf<{ table: string; rows: string }>(
    await db.execute(sql`select 'response_segment_cells' as table, count(*)::text as rows from response_segment_cells
      union all select 'response_answer_patterns', count(*)::text from response_answer_patterns
      union all select 'response_day_cells', count(*)::text from response_day_cells
      union all select 'response_fieldwork', count(*)::text from response_fieldwork`),
  )
  console.log(`aggregate rows: ${sizes.map((s) => `${s.table} ${s.rows}`).join(', ')}`)
  const mismatches = await checkAggregateTotals(db, organisation.id)
  if (mismatches.length > 0) throw new Error(`aggregates do not match the responses: ${JSON.stringify(mismatches)}`)
  console.log(`aggregates match the responses, survey by survey (checkAggregateTotals); ${have} responses; ${((performance.now() - started) / 1000).toFixed(1)} s`)
  await handle.close()
}

/** The two SQL helpers the generator uses: a standard normal draw and the latent-to-rating map. */
export async function installHelpers(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query(`create or replace function z() returns double precision language sql volatile as
    $$ select sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) $$`)
  await client.query(`create or replace function rate(latent double precision, u double precision, dk double precision) returns jsonb
    language sql immutable as $$ select case when u < dk then '"dont_know"'::jsonb
      when latent < -1.3 then '1'::jsonb when latent < -0.5 then '2'::jsonb when latent < 0.1 then '3'::jsonb
      when latent < 1.0 then '4'::jsonb else '5'::jsonb end $$`)
  await client.end()
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = arg('--url', process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/cse_bench')
  await ensureDatabase(url)
  await installHelpers(url)
  await main()
}
