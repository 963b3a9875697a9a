import { data, redirect } from '@remix-run/node'
import { z } from 'zod'
import { questionNameSchema } from '#templates/index.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { requireSurvey, saveEdit, surveyDraft } from '#app/services/builder.server.ts'
import {
  applyMapping,
  DRIVER_OPTIONS,
  mappingStatus,
  MappingError,
  ratingCandidates,
  segmentCandidates,
  type MappingInput,
} from '#app/services/survey-mapping.server.ts'
import { isReservedName } from '#app/services/request-body.server.ts'

export async function loadMapping(request: Request, surveyId: string) {
  const ctx = await requirePermission(request, 'survey:write')
  const survey = await requireSurvey(await getDb(), ctx.organisationId, surveyId)
  const draft = surveyDraft(survey)
  return {
    survey: { id: survey.id, title: survey.title, importedFrom: draft.metadata.importedFrom ?? null },
    drivers: DRIVER_OPTIONS,
    ratings: ratingCandidates(draft).map(({ options, ...rest }) => ({
      ...rest,
      options: options.map((o) => ({ key: o.key, label: o.label })),
    })),
    segments: segmentCandidates(draft),
    status: mappingStatus(draft),
    saved: new URL(request.url).searchParams.get('saved') === '1',
    // Never mapped: suggested segments start ticked; afterwards the page shows what was saved.
    fresh:
      Object.keys(draft.metadata.ratings).length === 0 &&
      draft.metadata.notDrivers.length === 0 &&
      draft.metadata.segments.length === 0,
  }
}

const driverValues = DRIVER_OPTIONS.map((d) => d.value) as [string, ...string[]]

/** One schema for the whole form: a driver and coding per rating, and the chosen segments with their labels. */
export const mappingFormSchema = z.object({
  ratings: z
    .array(
      z.object({
        question: questionNameSchema,
        driver: z.union([z.enum(driverValues), z.literal('')], {
          error: 'Choose a driver from the list.',
        }),
        coding: z
          .string()
          .regex(/^((high|low):\d{1,2}|custom)$/, 'Choose which answers count as satisfied.')
          .optional(),
      }),
    )
    .max(1000),
  segments: z
    .array(
      z.object({
        question: questionNameSchema,
        label: z.string().trim().max(100, 'Group names are 100 characters at most.'),
      }),
    )
    .max(1000),
})

const FIELD = /^(driver|coding|segment|segmentLabel)\.(.{1,80})$/

/** Field names carry the question name (`driver.overall`); anything else but `intent` is refused. */
function formToInput(form: FormData): unknown {
  const ratings = new Map<string, { question: string; driver?: string; coding?: string }>()
  const segments = new Map<string, { question: string; chosen: boolean; label: string }>()
  let count = 0
  for (const [key, value] of form) {
    if (++count > 5000 || typeof value !== 'string') return null
    if (key === 'intent') continue
    const match = FIELD.exec(key)
    if (!match || isReservedName(match[2]!)) return null
    const [, field, question] = match as unknown as [string, string, string]
    if (field === 'driver' || field === 'coding') {
      const entry = ratings.get(question) ?? { question }
      entry[field] = value
      ratings.set(question, entry)
    } else {
      const entry = segments.get(question) ?? { question, chosen: false, label: '' }
      if (field === 'segment') entry.chosen = value === 'yes'
      else entry.label = value
      segments.set(question, entry)
    }
  }
  return {
    ratings: [...ratings.values()].filter((r) => r.driver !== undefined),
    segments: [...segments.values()]
      .filter((s) => s.chosen)
      .map(({ question, label }) => ({ question, label })),
  }
}

export interface MappingActionData {
  problems: Array<{ message: string; question?: string }>
}

export async function handleMapping(request: Request, surveyId: string) {
  const ctx = await requirePermission(request, 'survey:write')
  const db = await getDb()
  const survey = await requireSurvey(db, ctx.organisationId, surveyId)
  const parsed = mappingFormSchema.safeParse(formToInput(await request.formData()))
  if (!parsed.success)
    return data<MappingActionData>(
      { problems: parsed.error.issues.map((i) => ({ message: i.message })).slice(0, 20) },
      { status: 400 },
    )
  const input: MappingInput = parsed.data
  let refusal: string | null = null
  const result = await saveEdit(
    db,
    { organisationId: ctx.organisationId, userId: ctx.userId },
    survey,
    (draft) => {
      try {
        return applyMapping(draft, input)
      } catch (error) {
        if (!(error instanceof MappingError)) throw error
        refusal = error.message
        return { ok: false, problems: [] }
      }
    },
    { intent: 'map-questions' },
  )
  if (refusal !== null) return data<MappingActionData>({ problems: [{ message: refusal }] }, { status: 422 })
  if (!result.ok)
    return data<MappingActionData>(
      { problems: result.problems.map((p) => ({ message: p.message, question: p.question })) },
      { status: 422 },
    )
  return redirect(`/app/surveys/${survey.id}/mapping?saved=1`)
}
