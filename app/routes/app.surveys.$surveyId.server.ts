import { isDeepStrictEqual } from 'node:util'
import { data, redirect } from '@remix-run/node'
import { getVersion, listVersions, surveyAvailability } from '#db/queries/surveys.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { can } from '#app/utils/permissions.ts'
import { getDb } from '#app/utils/db.server.ts'
import { invariantResponse } from '#app/utils/misc.ts'
import {
  changeStatus,
  duplicateForNextWave,
  publishDraft,
  requireSurvey,
  wordingChangesSincePreviousWave,
} from '#app/services/builder.server.ts'
import { publishProblems, readDraft } from '#app/services/builder-draft.server.ts'
import { fieldErrors, surveyActionSchema } from '#app/components/builder/schemas.ts'

export async function loadSurveyOverview(request: Request, surveyId: string) {
  const ctx = await requirePermission(request, 'dashboard:read')
  const db = await getDb()
  const survey = await requireSurvey(db, ctx.organisationId, surveyId)
  const versions = await listVersions(db, ctx.organisationId, survey.id)
  const current = versions.find((v) => v.id === survey.currentVersionId) ?? null
  const draft = readDraft(survey.draftDefinition, survey.draftMetadata)
  const published = survey.currentVersionId
    ? await getVersion(db, ctx.organisationId, survey.currentVersionId)
    : null
  const draftChanged = published
    ? !isDeepStrictEqual(published.definition, survey.draftDefinition) ||
      !isDeepStrictEqual(published.metadata, survey.draftMetadata)
    : true
  const waves = await wordingChangesSincePreviousWave(db, ctx.organisationId, survey)
  const nextYear = /^\d{4}$/.test(survey.wave) ? String(Number(survey.wave) + 1) : ''
  return {
    survey: {
      id: survey.id,
      slug: survey.slug,
      title: survey.title,
      wave: survey.wave,
      status: survey.status,
      availability: survey.currentVersionId ? surveyAvailability(survey) : null,
      opensAt: survey.opensAt?.toISOString() ?? null,
      closesAt: survey.closesAt?.toISOString() ?? null,
      retentionDays: survey.retentionDays,
    },
    currentVersion: current ? current.version : null,
    versions: versions.map((v) => ({ ...v, publishedAt: v.publishedAt.toISOString() })),
    draftChanged,
    problems: publishProblems(draft, survey.id),
    waves,
    suggestedNext: {
      wave: nextYear,
      slug: nextYear && survey.slug.includes(survey.wave) ? survey.slug.replace(survey.wave, nextYear) : '',
      title:
        nextYear && survey.title.includes(survey.wave)
          ? survey.title.replace(survey.wave, nextYear)
          : survey.title,
    },
    may: { edit: can(ctx.role, 'survey:write'), publish: can(ctx.role, 'survey:publish') },
  }
}

export interface OverviewActionData {
  intent: string
  problems: Array<{ message: string; field?: string; question?: string; page?: string; href?: string }>
  errors: Record<string, string>
  values: Record<string, string>
  notice?: string
}

export async function handleSurveyAction(request: Request, surveyId: string) {
  const form = await request.formData()
  const values = Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === 'string')) as Record<
    string,
    string
  >
  const intent = values.intent ?? ''
  const ctx = await requirePermission(request, intent === 'publish' ? 'survey:publish' : 'survey:write')
  const db = await getDb()
  await requireSurvey(db, ctx.organisationId, surveyId)
  const actor = { organisationId: ctx.organisationId, userId: ctx.userId }
  const parsed = surveyActionSchema.safeParse(values)
  if (!parsed.success) {
    return data<OverviewActionData>(
      { intent, problems: [], errors: fieldErrors(parsed.error), values },
      { status: 400 },
    )
  }
  switch (parsed.data.intent) {
    case 'publish': {
      const result = await publishDraft(db, actor, surveyId)
      if (!result.ok)
        return data<OverviewActionData>(
          { intent, problems: result.problems, errors: {}, values },
          { status: 422 },
        )
      return data<OverviewActionData>({
        intent,
        problems: [],
        errors: {},
        values: {},
        notice: `Published version ${result.value.version}. The link now shows it.`,
      })
    }
    case 'close':
    case 'reopen': {
      const changed = await changeStatus(
        db,
        actor,
        surveyId,
        parsed.data.intent === 'close' ? 'closed' : 'open',
      )
      invariantResponse(changed, 'Publish the survey before closing or reopening it.', { status: 409 })
      return data<OverviewActionData>({
        intent,
        problems: [],
        errors: {},
        values: {},
        notice:
          parsed.data.intent === 'close'
            ? 'The survey is closed. The link no longer takes answers.'
            : 'The survey is open again.',
      })
    }
    case 'duplicate': {
      const result = await duplicateForNextWave(db, actor, surveyId, parsed.data)
      if (!result.ok) {
        const errors: Record<string, string> = {}
        for (const p of result.problems) errors[('field' in p && p.field) || 'form'] ??= p.message
        return data<OverviewActionData>({ intent, problems: [], errors, values }, { status: 422 })
      }
      return redirect(`/app/surveys/${result.value.id}`)
    }
  }
}
