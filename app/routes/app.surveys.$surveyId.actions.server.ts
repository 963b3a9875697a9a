import { data, redirect } from '@remix-run/node'
import { actionEvidence, type ActionEvidence } from '#app/services/action-evidence.server.ts'
import { loadInsight } from '#app/services/insight.server.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { isUuid } from '#app/utils/params.ts'
import { can } from '#app/utils/permissions.ts'
import { writeAudit } from '#db/queries/accounts.ts'
import { insertAction, listActions, updateAction, type SurveyActionRow } from '#db/queries/actions.ts'
import { listThemes } from '#db/queries/themes.ts'
import type { InsightReport } from '#analysis/insight-report-types.ts'
import { actionFormSchema, findingOf } from './app.surveys.$surveyId.actions.schema.ts'

/*
 * "You said, we did" (issue 14, item 2): the actions of a survey series, with the before/after evidence of each
 * completed one (app/services/action-evidence.server.ts). Everyone reads; analysts and admins ('action:write')
 * record and edit. Scoped by organisation and series: another organisation's survey or action is a 404.
 * Writes are audited.
 */

export interface FindingChoices {
  measures: Array<{ name: string; label: string }>
  /** the survey's coding frame (app/routes/app.surveys.$surveyId.themes.tsx) */
  themes: Array<{ id: string; name: string }>
  drivers: Array<{ name: string; label: string }>
  groups: Array<{ segment: string; segmentLabel: string; value: string; label: string }>
}

function choicesOf(report: InsightReport, themes: ReadonlyArray<{ id: string; name: string }>): FindingChoices {
  const measures = report.meta.ratings.map((r) => ({ name: r.name, label: r.label }))
  return {
    measures,
    themes: themes.map((t) => ({ id: t.id, name: t.name })),
    drivers: measures.filter((m) => m.name !== report.meta.overall),
    groups: report.rows.map((r) => ({ segment: r.by, segmentLabel: r.byLabel, value: r.group, label: r.groupLabel })),
  }
}

/** A finding in words, from the report's labels. */
export function findingLabel(action: SurveyActionRow, choices: FindingChoices): string {
  // a theme of the frame by its id; actions recorded before the frame existed hold the theme's name
  if (action.findingKind === 'theme')
    return `Comment theme: ${choices.themes.find((t) => t.id === action.finding)?.name ?? action.finding}`
  if (action.findingKind === 'group') {
    const [segment, ...rest] = action.finding.split('=')
    const g = choices.groups.find((x) => x.segment === segment && x.value === rest.join('='))
    return g ? `Customer group: ${g.segmentLabel}, ${g.label}` : `Customer group: ${action.finding}`
  }
  const m = choices.measures.find((x) => x.name === action.finding)
  return `${action.findingKind === 'driver' ? 'Key driver' : 'Measure'}: ${m?.label ?? action.finding}`
}

async function surveyInsight(request: Request, surveyId: string, permission: 'dashboard:read' | 'action:write') {
  const ctx = await requirePermission(request, permission)
  const db = await getDb()
  const insight = isUuid(surveyId) ? await loadInsight(db, ctx.organisationId, surveyId) : null
  if (!insight) throw new Response('Survey not found', { status: 404 })
  return { ctx, db, insight }
}

export async function loadActionsPage(request: Request, surveyId: string) {
  const { ctx, db, insight } = await surveyInsight(request, surveyId, 'dashboard:read')
  const survey = insight.context.survey
  const rows = await listActions(db, ctx.organisationId, survey.seriesId)
  const choices = choicesOf(insight.report, await listThemes(db, ctx.organisationId, survey.id))
  const actions = await Promise.all(
    rows.map(async (a) => ({
      id: a.id,
      title: a.title,
      finding: findingLabel(a, choices),
      findingValue:
        a.findingKind === 'theme'
          ? `theme|${a.finding}`
          : a.findingKind === 'group'
            ? `group|${a.finding.split('=')[0]}|${a.finding.split('=').slice(1).join('=')}`
            : `${a.findingKind}|${a.finding}`,
      measure: a.measure,
      owner: a.owner,
      dueDate: a.dueDate,
      status: a.status,
      publicWording: a.publicWording,
      publicWordingCy: a.publicWordingCy,
      showPublicly: a.showPublicly,
      waveBefore: a.waveBefore,
      waveAfter: a.waveAfter,
      completedAt: a.completedAt?.toISOString() ?? null,
      evidence:
        a.status === 'completed'
          ? await actionEvidence(db, ctx.organisationId, survey.id, a, insight.report, insight.report.meta)
          : (null as ActionEvidence | null),
    })),
  )
  return {
    survey: { id: survey.id, title: survey.title },
    canWrite: can(ctx.role, 'action:write'),
    choices,
    waves: insight.report.meta.waves,
    confidence: insight.report.meta.confidence,
    actions,
  }
}

export type ActionsPageData = Awaited<ReturnType<typeof loadActionsPage>>
export type ActionsActionData = { ok: false; errors: Record<string, string> }

export async function handleActionForm(request: Request, surveyId: string) {
  const { ctx, db, insight } = await surveyInsight(request, surveyId, 'action:write')
  const survey = insight.context.survey
  const form = Object.fromEntries([...(await request.formData())].filter(([, v]) => typeof v === 'string'))
  const parsed = actionFormSchema.safeParse(form)
  const fail = (errors: Record<string, string>, status = 400) => data<ActionsActionData>({ ok: false, errors }, { status })
  if (!parsed.success) {
    const errors: Record<string, string> = {}
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? 'form')] ??= issue.message
    return fail(errors)
  }
  const v = parsed.data
  const { findingKind, finding } = findingOf(v)
  const choices = choicesOf(insight.report, await listThemes(db, ctx.organisationId, survey.id))
  const known =
    (findingKind === 'theme' && choices.themes.some((t) => t.id === finding)) ||
    (findingKind === 'measure' && choices.measures.some((m) => m.name === finding)) ||
    (findingKind === 'driver' && choices.drivers.some((m) => m.name === finding)) ||
    (findingKind === 'group' && choices.groups.some((g) => `${g.segment}=${g.value}` === finding))
  if (!known) return fail({ finding: 'Choose a finding of this survey' })
  if (v.measure !== null && !choices.measures.some((m) => m.name === v.measure))
    return fail({ measure: 'Choose a measure of this survey' })
  const waves = insight.report.meta.waves
  if ((v.waveBefore !== null && !waves.includes(v.waveBefore)) || (v.waveAfter !== null && !waves.includes(v.waveAfter)))
    return fail({ waveAfter: 'Choose waves of this survey' })
  const values = {
    findingKind,
    finding,
    measure: v.measure,
    title: v.title,
    owner: v.owner,
    dueDate: v.dueDate,
    status: v.status,
    publicWording: v.publicWording,
    publicWordingCy: v.publicWordingCy,
    showPublicly: v.showPublicly,
    waveBefore: v.waveBefore,
    waveAfter: v.waveAfter,
  }
  let id: string
  if (v.intent === 'create') {
    const row = await insertAction(
      db,
      { organisationId: ctx.organisationId, surveyId: survey.id, seriesId: survey.seriesId, createdBy: ctx.userId },
      values,
    )
    id = row.id
  } else {
    const row = isUuid(v.actionId)
      ? await updateAction(db, ctx.organisationId, survey.seriesId, v.actionId, values)
      : null
    if (!row) throw new Response('Action not found', { status: 404 })
    id = row.id
  }
  await writeAudit(db, {
    organisationId: ctx.organisationId,
    userId: ctx.userId,
    action: v.intent === 'create' ? 'action.create' : 'action.update',
    targetType: 'survey_action',
    targetId: id,
    details: { surveyId: survey.id, status: v.status, showPublicly: v.showPublicly },
  })
  return redirect(`/app/surveys/${survey.id}/actions?saved=${id}`)
}
