import type { AnalysisAggregates } from '#analysis/aggregates.ts'
import { createSurveyDesign, type SurveyDesign } from '#analysis/create-survey-design.ts'
import { rake, type RakeResult } from '#analysis/rake.ts'
import { satisfactionTable, type SatisfactionTable } from '#analysis/satisfaction-table.ts'
import type { Database } from '#db/client.ts'
import { getReportingThresholds, loadAggregates } from '#db/queries/aggregates.ts'
import { loadFieldworkSummary, type FieldworkSummary } from '#db/queries/exports.ts'
import { getDefaultPopulationProfile, type PopulationProfileRow } from '#db/queries/population.ts'
import {
  getSurveyForOrganisation,
  getVersion,
  type SurveyRow,
  type SurveyVersionRow,
} from '#db/queries/surveys.ts'
import {
  answerValues,
  choiceValue,
  listQuestions,
  localized,
  type ChoiceItem,
  type ElementJSON,
  type SurveyJSON,
} from '#templates/definition.ts'
import type { ScaleCoding, TemplateMetadata } from '#templates/metadata.ts'
import { buildDashboard, type Dashboard } from './dashboard.server.ts'
import { parseMetadata } from './survey-definition.server.ts'

/*
 * Everything an export needs about one survey, loaded once: the published definition and metadata, the
 * population profile, the weighting (raked in Node from SQL cell counts) and the satisfaction table computed
 * by the statistics engine from SQL aggregates. Response rows are never loaded here.
 */

export const RAKE_EPSILON = 1e-10
export const RAKE_MAX_PASSES = 1000
const CELL_SEPARATOR = '\u0001'

export interface QuestionInfo {
  name: string
  type: string
  title: string
  element: ElementJSON
  /** answer codes with their labels (choices, rating values, "don't know") */
  codes: Array<{ value: string | number; label: string }>
  isRating: boolean
  isFreeText: boolean
  isEquality: boolean
}

export interface SegmentInfo {
  name: string
  label: string
  isEquality: boolean
}

export interface Weighting {
  variables: string[]
  profile: PopulationProfileRow
  margins: Record<string, Record<string, number>>
  result: RakeResult
  design: SurveyDesign
  /** weight of every respondent of a raking cell, keyed by the levels joined with \u0001 */
  cellWeights: Map<string, number>
}

export interface ExportContext {
  organisationId: string
  organisationName: string
  survey: SurveyRow
  version: SurveyVersionRow
  definition: SurveyJSON
  metadata: TemplateMetadata
  questions: QuestionInfo[]
  segments: SegmentInfo[]
  ratings: string[]
  scale: ScaleCoding
  aggregates: AnalysisAggregates
  weighting: Weighting | null
  /** why the results are unweighted (no profile, margins that cannot be met) */
  weightingProblem: string | null
  table: SatisfactionTable
  smallBase: { lowBase: number; suppress: number }
  fieldwork: FieldworkSummary
  /** the dashboard as a manager sees it (weighted when the profile allows); null with detail 'weights' */
  dashboard: Dashboard | null
  generatedAt: Date
}

export class ExportNotAvailable extends Error {
  override name = 'ExportNotAvailable'
}

export function rakingCellKey(levels: ReadonlyArray<string>): string {
  return levels.join(CELL_SEPARATOR)
}

function choiceLabel(item: ChoiceItem): string {
  if (typeof item === 'object' && item !== null && 'text' in item && item.text !== undefined)
    return localized(item.text)
  return String(choiceValue(item) ?? '')
}

function describeQuestions(definition: SurveyJSON, metadata: TemplateMetadata): QuestionInfo[] {
  const freeText = new Set(metadata.comments.map((c) => c.question))
  const equality = new Set(metadata.equalityQuestions)
  return listQuestions(definition)
    .filter((q) => q.name !== '' && !['html', 'expression', 'image'].includes(q.type))
    .map((q) => {
      const labels = new Map<string, string>()
      for (const item of q.element.choices ?? []) {
        const v = choiceValue(item)
        if (v !== undefined) labels.set(String(v), choiceLabel(item))
      }
      const codes = answerValues(q.element).map((value) => ({
        value,
        label: labels.get(String(value)) ?? String(value),
      }))
      return {
        name: q.name,
        type: q.type,
        title: localized(q.element.title) || q.name,
        element: q.element,
        codes,
        isRating: q.name in metadata.ratings,
        isFreeText: freeText.has(q.name) || q.type === 'text' || q.type === 'comment',
        isEquality: equality.has(q.name),
      }
    })
}

/** Loads the export context of one survey of one organisation; null when the survey is not in it. */
export async function loadExportContext(
  db: Database,
  organisationId: string,
  surveyId: string,
  options: {
    organisationName?: string
    now?: Date
    /**
     * 'weights' loads only what the microdata, codebook and R script need (the raking-cell counts: one cheap
     * GROUP BY), skipping the satisfaction table and the dashboard; 'full' (default) loads everything.
     */
    detail?: 'full' | 'weights'
  } = {},
): Promise<ExportContext | null> {
  const full = options.detail !== 'weights'
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(surveyId)) return null
  const survey = await getSurveyForOrganisation(db, organisationId, surveyId)
  if (!survey) return null
  if (!survey.currentVersionId)
    throw new ExportNotAvailable('This survey has not been published yet, so there is nothing to export.')
  const version = await getVersion(db, organisationId, survey.currentVersionId)
  if (!version) throw new ExportNotAvailable('The published version of this survey could not be found.')
  const metadata = parseMetadata(version.metadata)
  const definition = version.definition as SurveyJSON
  const questions = describeQuestions(definition, metadata)
  const equality = new Set(metadata.equalityQuestions)
  const segments: SegmentInfo[] = []
  for (const s of metadata.segments)
    segments.push({ name: s.question, label: s.label, isEquality: equality.has(s.question) })
  for (const u of metadata.urlSegments) {
    if (!segments.some((s) => s.name === u.param))
      segments.push({ name: u.param, label: u.label, isEquality: false })
  }
  const ratings = questions.filter((q) => q.isRating).map((q) => q.name)
  const firstRating = ratings[0]
  const coding = firstRating
    ? metadata.ratings[firstRating]!.coding
    : { satisfied: [4, 5], neither: [3], dissatisfied: [1, 2], dontKnow: ['dont_know'] }
  const scale: ScaleCoding = coding
  const profile = await getDefaultPopulationProfile(db, organisationId)
  const margins = (profile?.margins ?? null) as Record<string, Record<string, number>> | null
  const segmentNames = new Set(segments.map((s) => s.name))
  const variables = margins ? Object.keys(margins).filter((v) => segmentNames.has(v)) : []
  let weightingProblem: string | null = null
  if (!profile) weightingProblem = 'No default population profile is set, so the results are unweighted.'
  else if (variables.length === 0)
    weightingProblem =
      'The population profile has no variable that this survey collects, so the results are unweighted.'
  const weighted = profile !== null && margins !== null && variables.length > 0
  const scaleValues = [...scale.satisfied, ...scale.neither, ...scale.dissatisfied]
  const load = (rakingVariables: string[]) =>
    loadAggregates(
      db,
      { organisationId, surveyId },
      {
        ratings: full ? ratings : [],
        scaleValues,
        segments: full ? segments.map((s) => s.name) : [],
        rakingVariables,
        ...(rakingVariables.length > 0 && margins
          ? { rakingLevels: Object.fromEntries(rakingVariables.map((v) => [v, Object.keys(margins[v]!)])) }
          : {}),
      },
    )
  let aggregates = await load(weighted ? variables : [])
  let weighting: Weighting | null = null
  if (weighted && aggregates.cells.length > 0) {
    try {
      const result = rake(aggregates.cells, variables, margins, {
        epsilon: RAKE_EPSILON,
        maxPasses: RAKE_MAX_PASSES,
      })
      const levelNames = variables.map((v) => Object.keys(margins[v]!))
      const design = createSurveyDesign(
        aggregates.cells.map((c, i) => ({
          levels: c.rakingCell.map((level, v) => levelNames[v]!.indexOf(level)),
          count: c.count,
          weight: result.weights[i]!,
        })),
        levelNames.map((l) => l.length),
      )
      const cellWeights = new Map(
        aggregates.cells.map((c, i) => [rakingCellKey(c.rakingCell), result.weights[i]!]),
      )
      weighting = {
        variables,
        profile: profile!,
        margins: Object.fromEntries(variables.map((v) => [v, margins[v]!])),
        result,
        design,
        cellWeights,
      }
    } catch (error) {
      weightingProblem = `Weighting was not possible: ${(error as Error).message.replace(/^rake: /, '')}. The results are unweighted.`
      aggregates = await load([])
    }
  }
  const smallBase = await getReportingThresholds(db, organisationId)
  const table = satisfactionTable(aggregates, { scale, design: weighting?.design ?? null, smallBase })
  return {
    organisationId,
    organisationName: options.organisationName ?? '',
    survey,
    version,
    definition,
    metadata,
    questions,
    segments,
    ratings,
    scale,
    aggregates,
    weighting,
    weightingProblem,
    table,
    smallBase,
    fieldwork: await loadFieldworkSummary(db, organisationId, surveyId),
    dashboard: full
      ? await buildDashboard(db, organisationId, surveyId, { weighted: weighting !== null })
      : null,
    generatedAt: options.now ?? new Date(),
  }
}

/** Question text of a rating (for table labels). */
export function questionTitle(ctx: ExportContext, name: string): string {
  return ctx.questions.find((q) => q.name === name)?.title ?? name
}

/** Human label of a breakdown ("all", "wave" or a segment). */
export function breakdownLabel(ctx: ExportContext, by: string): string {
  if (by === 'all') return 'All respondents'
  if (by === 'wave') return 'Wave'
  return ctx.segments.find((s) => s.name === by)?.label ?? by
}

/** Human label of one group of a segment: the choice label when the segment is a question. */
export function groupLabel(ctx: ExportContext, by: string, group: string): string {
  if (by === 'all') return 'All respondents'
  if (group === '') return 'Not stated'
  const q = ctx.questions.find((x) => x.name === by)
  const code = q?.codes.find((c) => String(c.value) === group)
  if (code) return code.label
  const url = ctx.metadata.urlSegments.find((u) => u.param === by)
  return url?.values.find((v) => v.value === group)?.label ?? group
}
