/**
 * Checks that R's survey package reproduces the app's headline numbers from the microdata export.
 *
 *   npx tsx cli/check-r-reproduction.ts [--out DIR] [--database-url postgres://…] [--exclude-equality]
 *
 * Seeds the demo survey into a fresh database (in-memory PGlite unless a database URL is given), exports
 * the microdata, codebook and R script exactly as the exports page does, runs `Rscript reproduce.R`, and
 * compares R's JSON with the app's: counts exactly, proportions to 1e-9, standard errors to 1e-6, and the
 * exported weights with R's own raking to 1e-9 (relative). Exit code 0 = match, 1 = mismatch, 2 = could not run.
 * Needs R with the survey package (Debian: apt-get install -y r-base-core r-cran-survey).
 */
import { spawnSync } from 'node:child_process'
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import { openDatabase } from '#db/client.ts'
import { DEMO_ORGANISATION, DEMO_SURVEY_SLUG, seedDemo } from '#db/seed.ts'
import { findOrganisationBySlug } from '#db/queries/accounts.ts'
import { findPublishedSurveyBySlug } from '#db/queries/surveys.ts'
import { loadExportContext } from '#app/services/export-context.server.ts'
import {
  codebookCsv,
  DEFAULT_MICRODATA_OPTIONS,
  microdataStream,
  type MicrodataOptions,
} from '#app/services/export-microdata.server.ts'
import {
  appHeadline,
  rScript,
  type Headline,
  type HeadlineCell,
} from '#app/services/export-r-script.server.ts'

const PROPORTION_TOLERANCE = 1e-9
const SE_TOLERANCE = 1e-6
const WEIGHT_TOLERANCE = 1e-9

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

type RHeadline = Headline & { max_weight_rel_diff: number | null }

/** Differences between the app's and R's headline JSON, as readable lines. */
export function compareHeadlines(app: Headline, r: RHeadline): { problems: string[]; compared: number } {
  const problems: string[] = []
  let compared = 0
  if (app.n_respondents !== r.n_respondents)
    problems.push(`respondents: app ${app.n_respondents}, R ${r.n_respondents}`)
  if (app.raked && (r.max_weight_rel_diff === null || !(r.max_weight_rel_diff <= WEIGHT_TOLERANCE))) {
    problems.push(
      `weights: R's raking differs from the exported weights by ${r.max_weight_rel_diff} (relative)`,
    )
  }
  const check = (
    where: string,
    field: keyof HeadlineCell,
    a: number | null,
    b: number | null,
    tolerance: number,
  ) => {
    compared++
    if (a === null || b === null) {
      if (a !== b) problems.push(`${where} ${field}: app ${a}, R ${b}`)
      return
    }
    if (!(Math.abs(a - b) <= tolerance))
      problems.push(`${where} ${field}: app ${a}, R ${b} (difference ${Math.abs(a - b)})`)
  }
  for (const [rating, bys] of Object.entries(app.ratings)) {
    for (const [by, groups] of Object.entries(bys)) {
      const rGroups = r.ratings[rating]?.[by] ?? {}
      const appKeys = Object.keys(groups).filter((g) => groups[g]!.n_valid > 0 || g in rGroups)
      const rKeys = Object.keys(rGroups)
      for (const g of rKeys) if (!(g in groups)) problems.push(`${rating} by ${by}: group "${g}" only in R`)
      for (const group of appKeys) {
        const a = groups[group]!
        const b = rGroups[group]
        const where = `${rating} / ${by} = "${group}"`
        if (!b) {
          problems.push(`${where}: missing from R`)
          continue
        }
        if (a.n_valid !== b.n_valid || a.n_satisfied !== b.n_satisfied) {
          problems.push(`${where}: counts app ${a.n_satisfied}/${a.n_valid}, R ${b.n_satisfied}/${b.n_valid}`)
        }
        check(where, 'p_unweighted', a.p_unweighted, b.p_unweighted, PROPORTION_TOLERANCE)
        if (app.weighted) {
          check(where, 'p_weighted', a.p_weighted, b.p_weighted, PROPORTION_TOLERANCE)
          check(where, 'se_weights_only', a.se_weights_only, b.se_weights_only, SE_TOLERANCE)
        }
        if (app.raked) check(where, 'se_raked', a.se_raked, b.se_raked, SE_TOLERANCE)
      }
    }
  }
  return { problems, compared }
}

async function main(): Promise<number> {
  const out = path.resolve(argument('--out') ?? path.join(tmpdir(), `cse-r-reproduction-${process.pid}`))
  mkdirSync(out, { recursive: true })
  const databaseUrl = argument('--database-url')
  const options: MicrodataOptions = {
    ...DEFAULT_MICRODATA_OPTIONS,
    includeFreeText: true,
    includeEquality: !process.argv.includes('--exclude-equality'),
  }
  const rscript = spawnSync('Rscript', ['--version'], { encoding: 'utf8' })
  if (rscript.error || rscript.status !== 0) {
    console.error('Rscript was not found. Install R: apt-get install -y r-base-core r-cran-survey')
    return 2
  }
  const handle = await openDatabase(databaseUrl ? { url: databaseUrl } : { pgliteDir: 'memory://' })
  try {
    await handle.migrate()
    await seedDemo(handle.db)
    const organisation = await findOrganisationBySlug(handle.db, DEMO_ORGANISATION.slug)
    const published = await findPublishedSurveyBySlug(handle.db, DEMO_SURVEY_SLUG)
    if (!organisation || !published) throw new Error('the demo survey is missing after seeding')
    const ctx = await loadExportContext(handle.db, organisation.id, published.survey.id, {
      organisationName: organisation.name,
    })
    if (!ctx) throw new Error('the demo survey could not be loaded for export')
    const microdataPath = path.join(out, 'microdata.csv')
    await pipeline(
      Readable.fromWeb(microdataStream(handle.db, ctx, options) as unknown as NodeReadableStream),
      createWriteStream(microdataPath),
    )
    writeFileSync(path.join(out, 'codebook.csv'), codebookCsv(ctx, options))
    writeFileSync(path.join(out, 'reproduce.R'), rScript(ctx, options))
    const app = appHeadline(ctx, options)
    writeFileSync(path.join(out, 'app-headline.json'), JSON.stringify(app, null, 2))
    const run = spawnSync('Rscript', ['reproduce.R', 'microdata.csv', 'r-headline.json'], {
      cwd: out,
      encoding: 'utf8',
    })
    process.stdout.write(run.stdout)
    if (run.status !== 0) {
      console.error(run.stderr)
      console.error(`Rscript failed with exit code ${run.status}`)
      return 1
    }
    const r = JSON.parse(readFileSync(path.join(out, 'r-headline.json'), 'utf8')) as RHeadline
    const { problems, compared } = compareHeadlines(app, r)
    if (problems.length > 0) {
      console.error(`R does NOT reproduce the app (${problems.length} of ${compared} numbers differ):`)
      for (const p of problems.slice(0, 50)) console.error(`  ${p}`)
      return 1
    }
    console.log(
      `R reproduces the app: ${compared} numbers over ${Object.keys(app.ratings).length} ratings match ` +
        `(proportions to ${PROPORTION_TOLERANCE}, SEs to ${SE_TOLERANCE}); files in ${out}`,
    )
    return 0
  } finally {
    await handle.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('check-r-reproduction.ts')) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error)
      process.exit(2)
    },
  )
}
