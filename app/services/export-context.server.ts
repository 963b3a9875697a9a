import type { Database } from '#db/client.ts'
import { loadFieldworkSummary, type FieldworkSummary } from '#db/queries/exports.ts'
import type { PopulationProfileRow } from '#db/queries/population.ts'
import {
  getSurveyForOrganisation,
  getVersion,
  listSeriesSurveys,
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
import { commentQuestionsOf } from './comment-questions.server.ts'
import { loadSurveyThemes, type SurveyThemes } from './comment-themes.server.ts'
import { loadInsight, type Insight } from './insight.server.ts'
import { parseMetadata } from './survey-definition.server.ts'

/*
 * Everything an export needs about one survey, loaded once: the published definition and metadata (question
 * wording and codes for labels and the codebook), the fieldwork counts, and the insight report
 * (app/services/insight.server.ts → analysis/insight-report.ts) in the dashboard's default view: weighted when
 * the organisation has a default population profile, over the survey's series. Every published export
 * (tables, report, charts, evidence pack) renders `insight.report` and nothing else; only the analysts' tools
 * (the microdata's weight column, the codebook, the R script's expected values) read `report.estimates`.
 * Nothing here rakes, tests, suppresses or judges. Response rows are never loaded here.
 */

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

/** How the report's weights were made: for the microdata's weight column, its codebook and the R script. */
export interface Weighting {
  variables: string[]
  profile: PopulationProfileRow
  /** population margins of the raking variables */
  margins: Record<string, Record<string, number>>
  epsilon: number
  maxPasses: number
  /** weight of every respondent of a raking cell, keyed by the levels joined with \u0001 (report.estimates) */
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
  /** rating questions of the survey, in questionnaire order */
  ratings: string[]
  scale: ScaleCoding
  /** the one insight report every published export renders, with its labels and fieldwork */
  insight: Insight
  /** the raking behind the report's weighted figures (null when the report is unweighted) */
  weighting: Weighting | null
  /** the surveys of the series (its waves): the microdata covers them, as the report does */
  seriesSurveyIds: string[]
  /** fieldwork of this survey (this wave) */
  fieldwork: FieldworkSummary
  /** the survey's comment themes and their published frequency (app/services/comment-themes.server.ts) */
  themes?: SurveyThemes | null
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
  options: { organisationName?: string; now?: Date } = {},
): Promise<ExportContext | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(surveyId)) return null
  const found = await getSurveyForOrganisation(db, organisationId, surveyId)
  if (!found) return null
  if (!found.currentVersionId)
    throw new ExportNotAvailable('This survey has not been published yet, so there is nothing to export.')
  const version = await getVersion(db, organisationId, found.currentVersionId)
  if (!version) throw new ExportNotAvailable('The published version of this survey could not be found.')
  const metadata = parseMetadata(version.metadata)
  if (Object.keys(metadata.ratings).length === 0)
    throw new ExportNotAvailable('This survey has no rating question, so there are no figures to export.')
  const insight = await loadInsight(db, organisationId, surveyId)
  if (!insight) return null
  const survey = insight.context.survey
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
  const scale: ScaleCoding = firstRating
    ? metadata.ratings[firstRating]!.coding
    : { satisfied: [4, 5], neither: [3], dissatisfied: [1, 2], dontKnow: ['dont_know'] }
  const { report, context } = insight
  const estimates = report.estimates
  const raking = estimates.config.raking
  const weighting: Weighting | null =
    report.meta.weighted && raking && estimates.cellWeights && estimates.population && context.profile
      ? {
          variables: [...raking.variables],
          profile: context.profile,
          margins: Object.fromEntries(raking.variables.map((v) => [v, estimates.population!.margins[v] ?? {}])),
          epsilon: raking.epsilon,
          maxPasses: raking.maxPasses,
          cellWeights: new Map(estimates.cellWeights.map((c) => [rakingCellKey(c.rakingCell), c.weight])),
        }
      : null
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
    insight,
    weighting,
    seriesSurveyIds: (await listSeriesSurveys(db, organisationId, survey.seriesId)).map((s) => s.id),
    fieldwork: await loadFieldworkSummary(db, organisationId, surveyId),
    themes: await loadSurveyThemes(
      db,
      { organisationId, surveyId: survey.id, seriesId: survey.seriesId },
      report,
      commentQuestionsOf(definition, metadata),
    ),
    generatedAt: options.now ?? new Date(),
  }
}

/** Question text of a rating (for table labels). */
export function questionTitle(ctx: ExportContext, name: string): string {
  return ctx.questions.find((q) => q.name === name)?.title ?? name
}

/** Human label of a breakdown ("all", "wave" or a segment), as the report names it. */
export function breakdownLabel(ctx: ExportContext, by: string): string {
  if (by === 'all') return 'All respondents'
  if (by === 'wave') return 'Wave'
  return ctx.insight.report.meta.segments.find((s) => s.name === by)?.label ?? by
}
