import { readFileSync } from 'node:fs'
import { oracleLayout, type AnalysisResults } from '#analysis/oracle-layout.ts'
import { parsePopulation, type Population } from '#analysis/parse-population.ts'
import { loadInsight } from '#app/services/insight.server.ts'
import { openDatabase, type Database } from '#db/client.ts'
import { findSurveyBySlugForOperator } from '#db/queries/surveys.ts'

/*
 * The database mode of the analyse command (`npm run --silent analyse -- --survey SLUG`): the insight report
 * of the survey's series, loaded exactly as the dashboard loads it (app/services/insight.server.ts, from the
 * maintained aggregates), printed in the oracle's results.json layout (analysis/oracle-layout.ts).
 */

const USAGE = 'usage: analyse --survey SLUG [--config analysis.json] [--population population.json]'

export interface AnalyseSurveyOptions {
  /** parsed analysis.json: overrides what the metadata implies */
  config?: Record<string, unknown>
  /** population margins; default: the organisation's default population profile */
  population?: Population | null
}

/**
 * The report of a stored survey in the oracle's layout, weighted when there is a population.
 * @throws Error with a message for the user when the survey does not exist, has no responses, or weighting
 *   was asked for and is not possible.
 */
export async function analyseSurvey(
  db: Database,
  slug: string,
  options: AnalyseSurveyOptions = {},
): Promise<AnalysisResults> {
  const survey = await findSurveyBySlugForOperator(db, slug)
  if (!survey) throw new Error(`no survey with slug "${slug}"`)
  const insight = await loadInsight(db, survey.organisationId, survey.id, {
    ...(options.config ? { overrides: options.config } : {}),
    ...(options.population !== undefined ? { population: options.population } : {}),
  })
  if (!insight) throw new Error(`no survey with slug "${slug}"`)
  const { report } = insight
  if (report.meta.respondents === 0) throw new Error(`survey "${slug}" has no responses`)
  if (options.population && report.weightingProblem) throw new Error(report.weightingProblem)
  return oracleLayout(report)
}

function readJson(path: string, what: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new Error(
      `cannot read ${what} file "${path}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    )
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new Error(`${what} file "${path}" is not valid JSON: ${(error as Error).message}`)
  }
}

/**
 * The `--survey` command. The database is DATABASE_URL (PostgreSQL) or else the PGlite directory PGLITE_DIR
 * (default ./data/pglite), as for the server. Prints results.json; bad input → message on stderr, exit 2.
 */
export async function main(
  argv: ReadonlyArray<string>,
  io: { stdout: (t: string) => void; stderr: (t: string) => void },
  database?: Database,
): Promise<number> {
  let close: (() => Promise<void>) | undefined
  try {
    const values: Record<string, string> = {}
    for (let i = 0; i < argv.length; i++) {
      let arg = argv[i]!
      let value: string | undefined
      const eq = arg.indexOf('=')
      if (arg.startsWith('--') && eq > 0) {
        value = arg.slice(eq + 1)
        arg = arg.slice(0, eq)
      }
      if (!['--survey', '--config', '--population'].includes(arg))
        throw new Error(`unknown flag "${arg}"\n${USAGE}`)
      if (value === undefined) value = argv[++i]
      if (!value || value.startsWith('--')) throw new Error(`${arg} needs a value\n${USAGE}`)
      values[arg] = value
    }
    if (!values['--survey']) throw new Error(`--survey is required\n${USAGE}`)
    const config = values['--config'] ? readJson(values['--config'], 'config') : undefined
    if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config)))
      throw new Error('config must be a JSON object')
    const population = values['--population']
      ? parsePopulation(readJson(values['--population'], 'population'))
      : undefined
    let db = database
    if (!db) {
      const handle = await openDatabase({
        url: process.env.DATABASE_URL || undefined,
        pgliteDir: process.env.PGLITE_DIR || undefined,
      })
      close = () => handle.close()
      db = handle.db
    }
    const results = await analyseSurvey(db, values['--survey'], {
      ...(config ? { config: config as Record<string, unknown> } : {}),
      ...(population ? { population } : {}),
    })
    const { cell_weights: _cellWeights, ...output } = results
    io.stdout(
      JSON.stringify(
        output,
        (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
        2,
      ) + '\n',
    )
    return 0
  } catch (error) {
    io.stderr(`analyse: ${error instanceof Error ? error.message : String(error)}\n`)
    return 2
  } finally {
    await close?.().catch(() => undefined)
  }
}
