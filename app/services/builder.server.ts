import { writeAudit } from '#db/queries/accounts.ts'
import {
  createSurvey,
  duplicateSurveyForWave,
  getSurveyForOrganisation,
  getVersion,
  listSeriesSurveys,
  publishSurvey,
  setSurveyStatus,
  slugTaken,
  updateDraft,
  updateSurveySettings,
  type SurveyRow,
  type SurveyVersionRow,
} from '#db/queries/surveys.ts'
import type { Database } from '#db/client.ts'
import {
  checkTemplate,
  isRecord,
  isTemplateId,
  templateMetadataSchema,
  type TemplateProblem,
} from '#templates/index.ts'
import { describeSurvey, SurveyDefinitionError } from '#app/services/survey-definition.server.ts'
import { sanitizeDefinition } from '#app/utils/sanitize-html.server.ts'
import {
  DRAFT_TOLERATED,
  draftFromTemplate,
  publishProblems,
  readDraft,
  type Draft,
  type EditResult,
} from './builder-draft.server.ts'
import { importCreatorDefinition } from './surveyjs-import.server.ts'
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './request-body.server.ts'
import { compareWaveWording, type WordingChange } from './builder-waves.server.ts'

/*
 * The builder's database side: create, edit, publish, close, reopen, next wave, import and export. Every function
 * takes the session's organisation id and touches only that organisation's rows; a survey id from another
 * organisation is "not found".
 */

export interface Actor {
  organisationId: string
  userId: string
}

export type Outcome<T> =
  | { ok: true; value: T }
  | { ok: false; problems: TemplateProblem[] | Array<{ message: string; field?: string; href?: string }> }

export async function requireSurvey(
  db: Database,
  organisationId: string,
  surveyId: string,
): Promise<SurveyRow> {
  const survey = await getSurveyForOrganisation(db, organisationId, surveyId)
  if (!survey) throw new Response('We could not find that survey.', { status: 404 })
  return survey
}

export function surveyDraft(survey: SurveyRow): Draft {
  return readDraft(survey.draftDefinition, survey.draftMetadata)
}

export async function createFromTemplate(
  db: Database,
  actor: Actor,
  input: { templateId: string; includeEquality: boolean; title: string; slug: string; wave: string },
): Promise<Outcome<SurveyRow>> {
  if (!isTemplateId(input.templateId))
    return { ok: false, problems: [{ field: 'templateId', message: 'Choose one of the templates.' }] }
  if (await slugTaken(db, input.slug)) {
    return {
      ok: false,
      problems: [
        { field: 'slug', message: `The link name "${input.slug}" is already used. Choose another.` },
      ],
    }
  }
  const draft = draftFromTemplate(input)
  const survey = await createSurvey(db, {
    organisationId: actor.organisationId,
    slug: input.slug,
    title: input.title,
    wave: input.wave,
    templateId: input.templateId,
    definition: draft.definition,
    metadata: draft.metadata,
  })
  await writeAudit(db, {
    ...actor,
    action: 'survey.create',
    targetType: 'survey',
    targetId: survey.id,
    details: { templateId: input.templateId },
  })
  return { ok: true, value: survey }
}

/** Apply one builder edit to the stored draft, audited as `survey.draft_edited` with what was edited (the
 * intent, e.g. add-question, and the question, page or parameter name; never the wording itself). */
export async function saveEdit(
  db: Database,
  actor: Actor,
  survey: SurveyRow,
  edit: (draft: Draft) => EditResult,
  what: { intent: string; target?: string } = { intent: 'edit' },
): Promise<EditResult> {
  const result = edit(surveyDraft(survey))
  if (!result.ok) return result
  await updateDraft(db, actor.organisationId, survey.id, result.draft)
  await writeAudit(db, {
    ...actor,
    action: 'survey.draft_edited',
    targetType: 'survey',
    targetId: survey.id,
    details: { intent: what.intent.slice(0, 40), ...(what.target ? { target: what.target.slice(0, 100) } : {}) },
  })
  return result
}

/** Publish the draft as the next immutable version; refused while checkTemplate finds any problem. */
export async function publishDraft(
  db: Database,
  actor: Actor,
  surveyId: string,
): Promise<Outcome<SurveyVersionRow>> {
  const survey = await requireSurvey(db, actor.organisationId, surveyId)
  const draft = surveyDraft(survey)
  // What lacks Welsh comes as a plain-English list linked to the fields (builder-welsh.server.ts), not as paths.
  const problems = publishProblems(draft, surveyId)
  if (problems.length > 0) return { ok: false, problems }
  try {
    // The respondent page and the validator read the definition with survey-core: it must load there too.
    describeSurvey(draft.definition)
  } catch (error) {
    if (error instanceof SurveyDefinitionError) return { ok: false, problems: [{ message: error.message }] }
    throw error
  }
  const version = await publishSurvey(db, actor.organisationId, surveyId, actor.userId)
  await writeAudit(db, {
    ...actor,
    action: 'survey.publish',
    targetType: 'survey',
    targetId: surveyId,
    details: { version: version.version, versionId: version.id },
  })
  return { ok: true, value: version }
}

export async function changeStatus(
  db: Database,
  actor: Actor,
  surveyId: string,
  status: 'open' | 'closed',
): Promise<boolean> {
  await requireSurvey(db, actor.organisationId, surveyId)
  const changed = await setSurveyStatus(db, actor.organisationId, surveyId, status)
  if (changed) {
    await writeAudit(db, {
      ...actor,
      action: status === 'closed' ? 'survey.close' : 'survey.reopen',
      targetType: 'survey',
      targetId: surveyId,
    })
  }
  return changed
}

export async function duplicateForNextWave(
  db: Database,
  actor: Actor,
  surveyId: string,
  next: { slug: string; title: string; wave: string },
): Promise<Outcome<SurveyRow>> {
  const source = await requireSurvey(db, actor.organisationId, surveyId)
  if (await slugTaken(db, next.slug))
    return {
      ok: false,
      problems: [{ field: 'slug', message: `The link name "${next.slug}" is already used. Choose another.` }],
    }
  if (next.wave === source.wave)
    return {
      ok: false,
      problems: [{ field: 'wave', message: `The next wave needs a label other than "${source.wave}".` }],
    }
  const copy = await duplicateSurveyForWave(db, actor.organisationId, surveyId, next)
  if (!copy) throw new Response('We could not find that survey.', { status: 404 })
  await writeAudit(db, {
    ...actor,
    action: 'survey.duplicate',
    targetType: 'survey',
    targetId: copy.id,
    details: { from: surveyId, wave: next.wave },
  })
  return { ok: true, value: copy }
}

/**
 * Wording changes between this survey's draft and the previous wave of its series (the latest published version
 * of the survey created before it), for the warning on the overview and in the builder.
 */
export async function wordingChangesSincePreviousWave(
  db: Database,
  organisationId: string,
  survey: SurveyRow,
): Promise<{ previous: { id: string; title: string; wave: string }; changes: WordingChange[] } | null> {
  const series = await listSeriesSurveys(db, organisationId, survey.seriesId)
  const index = series.findIndex((s) => s.id === survey.id)
  const previous = index > 0 ? series[index - 1] : undefined
  if (!previous) return null
  const version = previous.currentVersionId
    ? await getVersion(db, organisationId, previous.currentVersionId)
    : null
  const changes = compareWaveWording(version?.definition ?? previous.draftDefinition, survey.draftDefinition)
  return { previous: { id: previous.id, title: previous.title, wave: previous.wave }, changes }
}

// ---------------------------------------------------------------- import and export

export const EXPORT_FORMAT = 'cse-insight-survey'

export interface SurveyExport {
  format: typeof EXPORT_FORMAT
  formatVersion: 1
  survey: { title: string; wave: string; slug: string; templateId: string | null; retentionDays: number }
  /** Which text this is: the current draft, or published version N. */
  source: { kind: 'draft' } | { kind: 'version'; version: number; publishedAt: string }
  definition: unknown
  metadata: unknown
}

export async function exportSurvey(
  db: Database,
  organisationId: string,
  surveyId: string,
  which: 'draft' | 'published',
): Promise<SurveyExport> {
  const survey = await requireSurvey(db, organisationId, surveyId)
  const version =
    which === 'published' && survey.currentVersionId
      ? await getVersion(db, organisationId, survey.currentVersionId)
      : null
  return {
    format: EXPORT_FORMAT,
    formatVersion: 1,
    survey: {
      title: survey.title,
      wave: survey.wave,
      slug: survey.slug,
      templateId: survey.templateId,
      retentionDays: survey.retentionDays,
    },
    source: version
      ? { kind: 'version', version: version.version, publishedAt: version.publishedAt.toISOString() }
      : { kind: 'draft' },
    definition: version?.definition ?? survey.draftDefinition,
    metadata: version?.metadata ?? survey.draftMetadata,
  }
}

/**
 * Read an import: our export format, or `{ definition, metadata }`, or a plain SurveyJS definition (`{ pages }`,
 * app/services/surveyjs-import.server.ts). Problems are reported, never thrown.
 */
export function parseImport(
  json: string,
): Outcome<{ draft: Draft; title: string | null; retentionDays: number | null }> {
  let data: unknown
  if (jsonNestsDeeperThan(json, MAX_JSON_DEPTH))
    return { ok: false, problems: [{ field: 'json', message: 'The JSON nests too deeply to be a survey.' }] }
  try {
    data = JSON.parse(json)
  } catch (error) {
    return {
      ok: false,
      problems: [{ field: 'json', message: `This is not valid JSON: ${(error as Error).message}` }],
    }
  }
  if (!isRecord(data))
    return { ok: false, problems: [{ field: 'json', message: 'The JSON must be an object.' }] }
  // A plain SurveyJS definition (as SurveyJS Creator saves it): a draft to map on the mapping page.
  if (Array.isArray(data.pages) && data.metadata === undefined) return importCreatorDefinition(data)
  if (data.definition === undefined || data.metadata === undefined) {
    return {
      ok: false,
      problems: [
        { field: 'json', message: 'The JSON needs a "definition" (SurveyJS JSON) and a "metadata" object.' },
      ],
    }
  }
  const definition = sanitizeDefinition(data.definition)
  const problems = checkTemplate(definition, data.metadata).filter((p) => !DRAFT_TOLERATED.has(p.code))
  if (problems.length > 0) return { ok: false, problems }
  const metadata = templateMetadataSchema.parse(data.metadata)
  const survey = isRecord(data.survey) ? data.survey : {}
  return {
    ok: true,
    value: {
      draft: { definition: definition as Draft['definition'], metadata },
      title:
        typeof survey.title === 'string' && survey.title.trim()
          ? survey.title.trim().slice(0, 200)
          : metadata.title,
      retentionDays:
        typeof survey.retentionDays === 'number' && survey.retentionDays >= 30 && survey.retentionDays <= 3650
          ? Math.round(survey.retentionDays)
          : null,
    },
  }
}

export async function importSurvey(
  db: Database,
  actor: Actor,
  input: { json: string; title: string; slug: string; wave: string },
): Promise<Outcome<SurveyRow>> {
  const parsed = parseImport(input.json)
  if (!parsed.ok) return parsed
  if (await slugTaken(db, input.slug))
    return {
      ok: false,
      problems: [
        { field: 'slug', message: `The link name "${input.slug}" is already used. Choose another.` },
      ],
    }
  const survey = await createSurvey(db, {
    organisationId: actor.organisationId,
    slug: input.slug,
    title: input.title || parsed.value.title || 'Imported survey',
    wave: input.wave,
    templateId: null,
    definition: parsed.value.draft.definition,
    metadata: parsed.value.draft.metadata,
  })
  const retentionDays = parsed.value.retentionDays
  if (retentionDays !== null) {
    await updateSurveySettings(db, actor.organisationId, survey.id, {
      title: survey.title,
      wave: survey.wave,
      retentionDays,
      opensAt: null,
      closesAt: null,
    })
  }
  await writeAudit(db, { ...actor, action: 'survey.import', targetType: 'survey', targetId: survey.id })
  return { ok: true, value: survey }
}
