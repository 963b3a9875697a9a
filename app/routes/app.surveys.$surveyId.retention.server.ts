import { data } from '@remix-run/node'
import { z } from 'zod'
import { requireSurvey } from '#app/services/builder.server.ts'
import { changeRetention, previewRetention, RETENTION_MAX_DAYS, RETENTION_MIN_DAYS } from '#app/services/retention.server.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { can } from '#app/utils/permissions.ts'
import { getDb } from '#app/utils/db.server.ts'

/*
 * A survey's retention period (issue 12, "retention without surprises"). Everyone who reads the survey sees
 * the period; only an admin changes it, in two steps: `preview` shows how many responses the next purge will
 * delete with the new period and changes nothing; `confirm` carries that count back and applies the change
 * only if it still holds (app/services/retention.server.ts changeRetention), audited with the counts.
 */

const daysSchema = z.coerce
  .number('Enter the retention period as a number of days.')
  .int('Enter a whole number of days.')
  .min(RETENTION_MIN_DAYS, `Keep responses for at least ${RETENTION_MIN_DAYS} days.`)
  .max(RETENTION_MAX_DAYS, `Keep responses for at most ${RETENTION_MAX_DAYS} days (10 years).`)

const actionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('preview'), retentionDays: daysSchema }),
  z.object({
    intent: z.literal('confirm'),
    retentionDays: daysSchema,
    willDelete: z.coerce.number().int().min(0),
    confirm: z.literal('yes', 'Tick the box to confirm that these responses will be deleted.'),
  }),
])

export interface RetentionActionData {
  error?: string
  /** The preview: the period asked for and what the next purge would delete with it. */
  preview?: { retentionDays: number; willDelete: number; countChanged?: boolean }
  changed?: { from: number; to: number; willDelete: number }
}

export async function loadRetention(request: Request, surveyId: string) {
  const ctx = await requirePermission(request, 'dashboard:read')
  const db = await getDb()
  const survey = await requireSurvey(db, ctx.organisationId, surveyId)
  const dueNow = await previewRetention(db, ctx.organisationId, survey.id, survey.retentionDays)
  return {
    survey: { id: survey.id, title: survey.title, retentionDays: survey.retentionDays },
    dueNow: dueNow ?? 0,
    canChange: can(ctx.role, 'retention:write'),
    minDays: RETENTION_MIN_DAYS,
    maxDays: RETENTION_MAX_DAYS,
  }
}

export async function handleRetention(request: Request, surveyId: string) {
  const ctx = await requirePermission(request, 'retention:write')
  const db = await getDb()
  const survey = await requireSurvey(db, ctx.organisationId, surveyId)
  const form = Object.fromEntries([...(await request.formData()).entries()].filter(([, v]) => typeof v === 'string'))
  const parsed = actionSchema.safeParse(form)
  if (!parsed.success) {
    const days = daysSchema.safeParse(form.retentionDays)
    const willDelete = days.success ? await previewRetention(db, ctx.organisationId, survey.id, days.data) : null
    return data<RetentionActionData>(
      {
        error: parsed.error.issues[0]?.message ?? 'Check the form.',
        preview: days.success && willDelete !== null ? { retentionDays: days.data, willDelete } : undefined,
      },
      { status: 400 },
    )
  }
  const input = parsed.data
  if (input.intent === 'preview') {
    const willDelete = await previewRetention(db, ctx.organisationId, survey.id, input.retentionDays)
    if (willDelete === null) throw new Response('We could not find that survey.', { status: 404 })
    return data<RetentionActionData>({ preview: { retentionDays: input.retentionDays, willDelete } })
  }
  const result = await changeRetention(db, { organisationId: ctx.organisationId, userId: ctx.userId }, survey.id, input.retentionDays, input.willDelete)
  if (result.status === 'not_found') throw new Response('We could not find that survey.', { status: 404 })
  if (result.status === 'count_changed')
    return data<RetentionActionData>(
      {
        error: 'The number of responses this would delete has changed since you looked. Check the new number and confirm again.',
        preview: { retentionDays: input.retentionDays, willDelete: result.willDelete, countChanged: true },
      },
      { status: 409 },
    )
  return data<RetentionActionData>({ changed: { from: result.from, to: result.to, willDelete: result.willDelete } })
}
