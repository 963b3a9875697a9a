import { data } from '@remix-run/node'
import { parseMetadata } from '#app/services/survey-definition.server.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { can } from '#app/utils/permissions.ts'
import { writeAudit } from '#db/queries/accounts.ts'
import {
  getSurveyForOrganisation,
  getVersion,
  listSeriesSurveys,
  listSurveysForOrganisation,
  type SurveyRow,
} from '#db/queries/surveys.ts'
import { listTargets, setTarget } from '#db/queries/targets.ts'
import { listQuestions } from '#templates/definition.ts'
import type { Database } from '#db/client.ts'
import {
  percentToProportion,
  proportionToPercent,
  targetsFormSchema,
  targetsFormValues,
} from './app.settings.targets.schema.ts'

/*
 * Targets (CSE 1.3.4): a % satisfied to reach per measure (rating question) of a survey series, so every wave of
 * the series is judged against it on the dashboard (met, below target, or not demonstrably different).
 * Everyone may read; analysts and admins ('target:write') change them. Writes are audited and scoped by the
 * organisation: a survey id of another organisation is a 404.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const label = (name: string): string => {
  const text = name.replace(/_/g, ' ')
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** The survey's measures (its rating questions), overall first, then in questionnaire order. */
async function measuresOf(
  db: Database,
  organisationId: string,
  survey: SurveyRow,
): Promise<Array<{ name: string; label: string }>> {
  const version = survey.currentVersionId
    ? await getVersion(db, organisationId, survey.currentVersionId)
    : null
  const metadata = parseMetadata(version?.metadata ?? survey.draftMetadata)
  const order = listQuestions(version?.definition ?? survey.draftDefinition).map((q) => q.name)
  const position = (name: string) =>
    metadata.ratings[name]?.driver === 'overall' ? -1 : order.includes(name) ? order.indexOf(name) : 1e9
  return Object.entries(metadata.ratings)
    .sort(([a], [b]) => position(a) - position(b))
    .map(([name, r]) => ({ name, label: r.driver === 'overall' ? 'Overall satisfaction' : label(r.driver) }))
}

async function findSurvey(db: Database, organisationId: string, surveyId: string): Promise<SurveyRow> {
  const survey = UUID.test(surveyId) ? await getSurveyForOrganisation(db, organisationId, surveyId) : null
  if (!survey) throw new Response('Survey not found', { status: 404 })
  return survey
}

export async function loadTargetsPage(request: Request) {
  const ctx = await requirePermission(request, 'dashboard:read')
  const db = await getDb()
  const surveyId = new URL(request.url).searchParams.get('survey') ?? ''
  const surveys = await listSurveysForOrganisation(db, ctx.organisationId)
  const base = {
    canWrite: can(ctx.role, 'target:write'),
    surveys: surveys.map((s) => ({ id: s.id, title: s.title, wave: s.wave })),
  }
  if (surveyId === '') return { ...base, selected: null }
  const survey = await findSurvey(db, ctx.organisationId, surveyId)
  const [measures, targets, series] = await Promise.all([
    measuresOf(db, ctx.organisationId, survey),
    listTargets(db, ctx.organisationId, survey.seriesId),
    listSeriesSurveys(db, ctx.organisationId, survey.seriesId),
  ])
  const byMeasure = new Map(targets.map((t) => [t.measure, t.target]))
  return {
    ...base,
    selected: {
      id: survey.id,
      title: survey.title,
      series: series.map((s) => ({ id: s.id, title: s.title, wave: s.wave })),
      measures: measures.map((m) => {
        const target = byMeasure.get(m.name)
        return { ...m, percent: target === undefined ? '' : proportionToPercent(target) }
      }),
    },
  }
}

export type TargetsActionData =
  | { ok: true; message: string }
  | { ok: false; errors: Record<string, string>; values?: Record<string, string> }

export async function handleTargetsAction(request: Request) {
  const ctx = await requirePermission(request, 'target:write')
  const db = await getDb()
  const form = await request.formData()
  const parsed = targetsFormSchema.safeParse(targetsFormValues(form))
  if (!parsed.success) {
    const errors: Record<string, string> = {}
    for (const issue of parsed.error.issues) {
      const key =
        issue.path[0] === 'targets' && issue.path[1] !== undefined
          ? `target.${String(issue.path[1])}`
          : String(issue.path[0] ?? 'form')
      errors[key] ??= issue.message
    }
    const values = Object.fromEntries(
      [...form].filter(([k, v]) => k.startsWith('target.') && typeof v === 'string'),
    ) as Record<string, string>
    return data<TargetsActionData>({ ok: false, errors, values }, { status: 400 })
  }
  const survey = await findSurvey(db, ctx.organisationId, parsed.data.surveyId)
  const measures = new Set((await measuresOf(db, ctx.organisationId, survey)).map((m) => m.name))
  const unknown = Object.keys(parsed.data.targets).filter((m) => !measures.has(m))
  if (unknown.length > 0) {
    return data<TargetsActionData>(
      { ok: false, errors: { form: `This survey has no measure called ${unknown.join(', ')}` } },
      { status: 400 },
    )
  }
  const existing = new Map(
    (await listTargets(db, ctx.organisationId, survey.seriesId)).map((t) => [t.measure, t.target]),
  )
  let changes = 0
  for (const [measure, percent] of Object.entries(parsed.data.targets)) {
    const next = percentToProportion(percent)
    const before = existing.get(measure) ?? null
    if (next === before) continue
    await setTarget(db, ctx.organisationId, survey.seriesId, measure, next)
    const action = before === null ? 'target.created' : next === null ? 'target.deleted' : 'target.updated'
    await writeAudit(db, {
      organisationId: ctx.organisationId,
      userId: ctx.userId,
      action,
      targetType: 'target',
      targetId: survey.seriesId,
      details: { surveyId: survey.id, seriesId: survey.seriesId, measure, from: before, to: next },
    })
    changes++
  }
  return data<TargetsActionData>({
    ok: true,
    message:
      changes === 0
        ? 'Nothing changed.'
        : `${changes} target${changes === 1 ? '' : 's'} saved for every wave of “${survey.title}”.`,
  })
}
