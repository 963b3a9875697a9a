import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { eq } from 'drizzle-orm'
import { analyse, type AnalysisResults } from '../analysis/analyse.ts'
import { parseAnalysisConfig, type AnalysisConfig } from '../analysis/parse-analysis-config.ts'
import { parsePopulation, type Population } from '../analysis/parse-population.ts'
import { templateMetadataSchema, type TemplateMetadata } from '../survey-templates/metadata.ts'
import { openDatabase, type Database } from './client.ts'
import { loadAggregates, type AggregateFilters, type AggregateScope } from './queries/aggregates.ts'
import { getDefaultPopulationProfile } from './queries/population.ts'
import { surveys, surveyVersions } from './schema.ts'

/*
 * The database mode of the analyse command (`npm run --silent analyse -- --survey SLUG`): the same statistics
 * as `--csv`, with the counts made by PostgreSQL through db/queries/aggregates.ts — the path the dashboard uses.
 */

/**
 * The analysis configuration a survey's metadata implies: every rating coded like the overall rating (in
 * metadata order), overall = the rating whose driver is "overall", drivers = the others, segments = segment
 * questions then URL segments, raking on the population's margins. `overrides` (an analysis.json) wins.
 */
export function analysisConfigFromMetadata(
  metadata: TemplateMetadata,
  population: Population | null,
  overrides: Record<string, unknown> = {},
): AnalysisConfig {
  const entries = Object.entries(metadata.ratings)
  const overall = entries.find(([, r]) => r.driver === 'overall') ?? entries[0]
  const coding = overall?.[1].coding
  const sameCoding = (c: typeof coding) =>
    !!c && !!coding && JSON.stringify([c.satisfied, c.neither, c.dissatisfied]) === JSON.stringify([coding.satisfied, coding.neither, coding.dissatisfied])
  const ratings = entries.filter(([, r]) => sameCoding(r.coding)).map(([name]) => name)
  const segments = [...new Set([...metadata.segments.map((s) => s.question), ...metadata.urlSegments.map((u) => u.param)])].filter(
    (s) => s !== 'all' && s !== 'wave',
  )
  const derived: Record<string, unknown> = {
    id: 'id',
    wave: 'wave',
    ratings,
    overall: overall?.[0] ?? '',
    drivers: ratings.filter((r) => r !== overall?.[0]),
    segments,
    scale: coding ? { satisfied: coding.satisfied, neither: coding.neither, dissatisfied: coding.dissatisfied } : undefined,
    ...(population ? { raking: { variables: Object.keys(population.margins) } } : {}),
  }
  return parseAnalysisConfig({ ...derived, ...overrides })
}

/** The survey behind a slug with the metadata of its current version (else its draft). Not tenant-scoped:
 * this is an operator's command-line tool; everything after it is scoped by the survey's organisation. */
export async function findSurveyForAnalysis(
  db: Database,
  slug: string,
): Promise<{ id: string; organisationId: string; seriesId: string; metadata: TemplateMetadata } | null> {
  const rows = await db
    .select({ survey: surveys, versionMetadata: surveyVersions.metadata })
    .from(surveys)
    .leftJoin(surveyVersions, eq(surveyVersions.id, surveys.currentVersionId))
    .where(eq(surveys.slug, slug))
    .limit(1)
  const row = rows[0]
  if (!row) return null
  return {
    id: row.survey.id,
    organisationId: row.survey.organisationId,
    seriesId: row.survey.seriesId,
    metadata: templateMetadataSchema.parse(row.versionMetadata ?? row.survey.draftMetadata),
  }
}

export interface AnalyseSurveyOptions {
  /** parsed analysis.json: overrides what the metadata implies */
  config?: Record<string, unknown>
  /** population margins; default: the organisation's default population profile */
  population?: Population | null
  filters?: AggregateFilters
  /** analyse the survey only (default) or every survey of its series */
  scope?: 'survey' | 'series'
}

/**
 * Runs the full analysis of a stored survey: metadata → configuration, population, SQL aggregates, analyse().
 * @throws Error with a message for the user when the survey does not exist or the input is invalid.
 */
export async function analyseSurvey(db: Database, slug: string, options: AnalyseSurveyOptions = {}): Promise<AnalysisResults> {
  const survey = await findSurveyForAnalysis(db, slug)
  if (!survey) throw new Error(`no survey with slug "${slug}"`)
  let population = options.population ?? null
  if (options.population === undefined) {
    const profile = await getDefaultPopulationProfile(db, survey.organisationId)
    population = profile ? parsePopulation({ total: profile.total, margins: profile.margins }) : null
  }
  const config = analysisConfigFromMetadata(survey.metadata, population, options.config)
  if (population && config.raking) {
    for (const v of config.raking.variables) {
      if (!population.margins[v]) throw new Error(`population has no margin for raking variable "${v}"`)
    }
  }
  const scope: AggregateScope =
    options.scope === 'series'
      ? { organisationId: survey.organisationId, seriesId: survey.seriesId }
      : { organisationId: survey.organisationId, surveyId: survey.id }
  const aggregates = await loadAggregates(
    db,
    scope,
    {
      ratings: config.ratings,
      scaleValues: [...config.scale.satisfied, ...config.scale.neither, ...config.scale.dissatisfied],
      segments: config.segments,
      rakingVariables: population && config.raking ? config.raking.variables : [],
      keyDriverVariables: config.drivers.length > 0 ? [config.overall, ...config.drivers] : [],
      ...(config.waves ? { waveOrder: config.waves } : {}),
    },
    options.filters ?? {},
  )
  if (aggregates.cells.length === 0) throw new Error(`survey "${slug}" has no responses`)
  return analyse(aggregates, config, population && config.raking ? population : null)
}

const USAGE = 'usage: analyse --survey SLUG [--config analysis.json] [--population population.json]'

function readJson(path: string, what: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new Error(`cannot read ${what} file "${path}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
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
      if (!['--survey', '--config', '--population'].includes(arg)) throw new Error(`unknown flag "${arg}"\n${USAGE}`)
      if (value === undefined) value = argv[++i]
      if (!value || value.startsWith('--')) throw new Error(`${arg} needs a value\n${USAGE}`)
      values[arg] = value
    }
    if (!values['--survey']) throw new Error(`--survey is required\n${USAGE}`)
    const config = values['--config'] ? (readJson(values['--config'], 'config') as Record<string, unknown>) : undefined
    if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config))) throw new Error('config must be a JSON object')
    const population = values['--population'] ? parsePopulation(readJson(values['--population'], 'population')) : undefined
    let db = database
    if (!db) {
      const handle = await openDatabase({ url: process.env.DATABASE_URL || undefined, pgliteDir: process.env.PGLITE_DIR || undefined })
      close = () => handle.close()
      db = handle.db
    }
    const results = await analyseSurvey(db, values['--survey'], {
      ...(config ? { config } : {}),
      ...(population ? { population } : {}),
    })
    const { cell_weights: _cellWeights, ...output } = results
    io.stdout(JSON.stringify(output, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n')
    return 0
  } catch (error) {
    io.stderr(`analyse: ${error instanceof Error ? error.message : String(error)}\n`)
    return 2
  } finally {
    await close?.().catch(() => undefined)
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then((code) => {
    process.exitCode = code
  })
}
