import type { InsightLabels, InsightReport } from '#analysis/insight-report-types.ts'
import { buildInsightReport } from '#analysis/insight-report.ts'
import type { Population } from '#analysis/parse-population.ts'
import type { Database } from '#db/client.ts'
import {
  countResponses,
  getReportingThresholds,
  listSegmentValues,
  listWaves,
  loadAggregates,
  resolveAggregateScope,
  type AggregateFilters,
  type WaveSummary,
} from '#db/queries/aggregates.ts'
import { getDefaultPopulationProfile, type PopulationProfileRow } from '#db/queries/population.ts'
import { getSurveyForOrganisation, getVersion, type SurveyRow } from '#db/queries/surveys.ts'
import { listTargets } from '#db/queries/targets.ts'
import { isRecord, listQuestions, type SurveyJSON } from '#templates/definition.ts'
import type { TemplateMetadata } from '#templates/metadata.ts'
import { analysisConfigFromMetadata } from './analysis-config.server.ts'
import { groupLabelsOf, label, textOf } from './survey-labels.server.ts'
import { parseMetadata } from './survey-definition.server.ts'

/*
 * The one way any view gets a survey's figures: load the counts (db/queries/aggregates.ts, maintained as
 * responses arrive), the configuration, population, thresholds, targets and labels, and hand them to the
 * insight engine (analysis/insight-report.ts). The dashboard, the staff home tiles, the comments filters, every
 * export, the evidence pack and `npm run analyse -- --survey` render what this returns; none of them computes.
 */

export interface InsightOptions {
  /** weight to the default population profile; default: weighted when the organisation has one */
  weighted?: boolean
  confidence?: number
  filters?: AggregateFilters
  /** an analysis.json that overrides the configuration derived from the metadata (the analyse command) */
  overrides?: Record<string, unknown>
  /** population to use instead of the organisation's default profile (the analyse command) */
  population?: Population | null
}

export interface InsightContext {
  survey: SurveyRow
  metadata: TemplateMetadata
  definition: SurveyJSON
  /** the question text of each rating */
  questionTitles: Record<string, string>
  labels: InsightLabels
  profile: PopulationProfileRow | null
  /** every wave of the series with its fieldwork dates (unfiltered) */
  waves: WaveSummary[]
  /** values of each segment with respondent counts (unfiltered), for filter controls */
  segmentValues: Record<string, Array<{ value: string; count: number }>>
  filters: AggregateFilters
}

export interface Insight {
  report: InsightReport
  context: InsightContext
}

const hasFilters = (f: AggregateFilters) =>
  (f.waves?.length ?? 0) > 0 ||
  !!f.from ||
  !!f.to ||
  Object.values(f.segments ?? {}).some((v) => v.length > 0)

/** The wording of a question as one comparable string: type, title, description and answers in every locale. */
function wordingSignature(element: Record<string, unknown>): string {
  const norm = (v: unknown): unknown =>
    typeof v === 'string'
      ? v.replace(/\s+/g, ' ').trim()
      : isRecord(v)
        ? Object.fromEntries(
            Object.entries(v)
              .sort()
              .map(([k, x]) => [k, norm(x)]),
          )
        : Array.isArray(v)
          ? v.map(norm)
          : v
  return JSON.stringify(
    norm({
      type: element.type,
      title: element.title,
      description: element.description,
      choices: element.choices,
      rateValues: element.rateValues,
    }),
  )
}

/**
 * The insight report of one survey's series in one organisation, with what views need to label it; null
 * when the survey is not in the organisation.
 */
export async function loadInsight(
  db: Database,
  organisationId: string,
  surveyId: string,
  options: InsightOptions = {},
): Promise<Insight | null> {
  const survey = await getSurveyForOrganisation(db, organisationId, surveyId)
  if (!survey) return null
  // Everything that needs only the survey row, at once; the series is resolved to its surveys once for all
  // the reads below.
  const [version, thresholds, profile, scope, targetRows] = await Promise.all([
    survey.currentVersionId ? getVersion(db, organisationId, survey.currentVersionId) : Promise.resolve(null),
    getReportingThresholds(db, organisationId),
    options.population === undefined
      ? getDefaultPopulationProfile(db, organisationId)
      : Promise.resolve(null),
    resolveAggregateScope(db, { organisationId, seriesId: survey.seriesId }),
    listTargets(db, organisationId, survey.seriesId),
  ])
  const metadata = parseMetadata(version?.metadata ?? survey.draftMetadata)
  const definition = (version?.definition ?? survey.draftDefinition) as SurveyJSON
  const filters = options.filters ?? {}
  const population: Population | null =
    options.population !== undefined
      ? options.population
      : profile
        ? { total: profile.total, margins: profile.margins as Record<string, Record<string, number>> }
        : null
  const questions = listQuestions(definition)
  const config = analysisConfigFromMetadata(metadata, population, {
    ratingOrder: questions.map((q) => q.name),
    smallBase: thresholds,
    ...(options.confidence !== undefined ? { confidence: options.confidence } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
  })
  const rakingVariables = config.raking?.variables ?? []
  const wavesRead = listWaves(db, scope, config.waves)
  // The key-driver read needs the latest wave; the wave list (a small read) names it before the cells are in,
  // so both big reads run together. loadAggregates checks the guess against the cells and reads again if wrong.
  const latestWaveGuess = wavesRead.then(
    (all) =>
      all.map((w) => w.wave).filter((w) => !filters.waves?.length || filters.waves.includes(w)).at(-1),
    () => undefined,
  )
  const [aggregates, waves, segmentValues, unfiltered] = await Promise.all([
    loadAggregates(
      db,
      scope,
      {
        ratings: config.ratings,
        scaleValues: [...config.scale.satisfied, ...config.scale.neither, ...config.scale.dissatisfied],
        segments: config.segments,
        rakingVariables,
        keyDriverVariables: config.drivers.length > 0 ? [config.overall, ...config.drivers] : [],
        ...(config.waves ? { waveOrder: config.waves } : {}),
      },
      filters,
      undefined,
      latestWaveGuess,
    ),
    wavesRead,
    listSegmentValues(db, scope, config.segments),
    hasFilters(filters) ? countResponses(db, scope) : Promise.resolve(null),
  ])
  const filtered = aggregates.cells.reduce((a, c) => a + c.count, 0)

  // Wording of each rating in each wave, from the versions that collected the wave.
  const wording: Record<string, Record<string, string>> = {}
  const definitions = new Map<string, SurveyJSON>()
  if (version) definitions.set(version.id, version.definition as SurveyJSON)
  const versionIds = [...new Set(waves.flatMap((w) => w.versionIds))].filter((id) => !definitions.has(id))
  for (const v of await Promise.all(versionIds.map((id) => getVersion(db, organisationId, id))))
    if (v) definitions.set(v.id, v.definition as SurveyJSON)
  for (const w of waves) {
    for (const id of w.versionIds) {
      const def = definitions.get(id)
      if (!def) continue
      for (const q of listQuestions(def)) {
        if (!config.ratings.includes(q.name)) continue
        const sig = wordingSignature(q.element as Record<string, unknown>)
        const prev = (wording[q.name] ??= {})[w.wave]
        wording[q.name]![w.wave] = prev === undefined || prev === sig ? sig : `${prev}|${sig}`
      }
    }
  }

  const groupLabels = groupLabelsOf(definition, metadata)
  const segmentLabel = (name: string) =>
    metadata.segments.find((s) => s.question === name)?.label ??
    metadata.urlSegments.find((u) => u.param === name)?.label ??
    label(name)
  const labels: InsightLabels = {
    ratings: Object.fromEntries(
      config.ratings.map((r) => [
        r,
        r === config.overall ? 'Overall' : label(metadata.ratings[r]?.driver ?? r),
      ]),
    ),
    segments: Object.fromEntries(config.segments.map((s) => [s, segmentLabel(s)])),
    groups: Object.fromEntries(config.segments.map((s) => [s, Object.fromEntries(groupLabels.get(s) ?? [])])),
    groupOrder: Object.fromEntries(config.segments.map((s) => [s, [...(groupLabels.get(s)?.keys() ?? [])]])),
  }
  const report = buildInsightReport({
    aggregates,
    config,
    population,
    weighted: options.weighted ?? population !== null,
    targets: Object.fromEntries(targetRows.map((t) => [t.measure, t.target])),
    labels,
    wording,
    ...(unfiltered ? { excludedByFilters: unfiltered.total - filtered } : {}),
  })
  return {
    report,
    context: {
      survey,
      metadata,
      definition,
      questionTitles: Object.fromEntries(questions.map((q) => [q.name, textOf(q.element.title)])),
      labels,
      profile,
      waves,
      segmentValues,
      filters,
    },
  }
}
