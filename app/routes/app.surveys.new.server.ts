import { data, redirect } from '@remix-run/node'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { createFromTemplate } from '#app/services/builder.server.ts'
import { fieldErrors, newSurveySchema } from '#app/components/builder/schemas.ts'
import { EQUALITY_BLOCK_ID, listTemplates } from '#templates/index.ts'

export async function loadNewSurvey(request: Request) {
  await requirePermission(request, 'survey:write')
  return {
    templates: listTemplates().map((t) => ({
      id: t.id,
      title: t.title,
      description: t.description,
      cseElements: t.cseElements,
      welsh: t.locales.includes('cy'),
    })),
    equalityBlockId: EQUALITY_BLOCK_ID,
    suggestedWave: String(new Date().getFullYear()),
  }
}

export interface NewSurveyActionData {
  errors: Record<string, string>
  values: Record<string, string>
}

export async function createNewSurvey(request: Request) {
  const ctx = await requirePermission(request, 'survey:write')
  const form = await request.formData()
  // Only this form's own fields are echoed back.
  const values: Record<string, string> = {}
  for (const key of ['templateId', 'title', 'slug', 'wave', 'includeEquality']) {
    const value = form.get(key)
    if (typeof value === 'string') values[key] = value
  }
  const parsed = newSurveySchema.safeParse(values)
  if (!parsed.success)
    return data<NewSurveyActionData>({ errors: fieldErrors(parsed.error), values }, { status: 400 })
  const db = await getDb()
  const result = await createFromTemplate(
    db,
    { organisationId: ctx.organisationId, userId: ctx.userId },
    parsed.data,
  )
  if (!result.ok) {
    const errors: Record<string, string> = {}
    for (const p of result.problems) errors[('field' in p && p.field) || 'form'] ??= p.message
    return data<NewSurveyActionData>({ errors, values }, { status: 422 })
  }
  return redirect(`/app/surveys/${result.value.id}/edit`)
}
