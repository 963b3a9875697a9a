import { data, redirect } from '@remix-run/node'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { importSurvey } from '#app/services/builder.server.ts'
import { fieldErrors, importSchema } from '#app/components/builder/schemas.ts'
import { templateMetadataSchema } from '#templates/metadata.ts'

export async function loadImport(request: Request) {
  await requirePermission(request, 'survey:write')
  return { suggestedWave: String(new Date().getFullYear()) }
}

export interface ImportActionData {
  errors: Record<string, string>
  problems: Array<{ message: string; question?: string; page?: string }>
  values: Record<string, string>
}

export async function handleImport(request: Request) {
  const ctx = await requirePermission(request, 'survey:write')
  const form = await request.formData()
  const file = form.get('file')
  let json = String(form.get('json') ?? '')
  if (file && typeof file === 'object' && 'text' in file && file.size > 0) {
    if (file.size > 2_000_000)
      return data<ImportActionData>(
        { errors: { file: 'The file is too large (2 MB at most).' }, problems: [], values: {} },
        { status: 400 },
      )
    json = await file.text()
  }
  const values = {
    json,
    title: String(form.get('title') ?? ''),
    slug: String(form.get('slug') ?? ''),
    wave: String(form.get('wave') ?? ''),
  }
  const parsed = importSchema.safeParse(values)
  if (!parsed.success)
    return data<ImportActionData>(
      { errors: fieldErrors(parsed.error), problems: [], values },
      { status: 400 },
    )
  const result = await importSurvey(
    await getDb(),
    { organisationId: ctx.organisationId, userId: ctx.userId },
    parsed.data,
  )
  if (!result.ok) {
    const errors: Record<string, string> = {}
    const problems: ImportActionData['problems'] = []
    for (const p of result.problems) {
      if ('field' in p && p.field && p.field !== 'json') errors[p.field] ??= p.message
      else problems.push(p)
    }
    return data<ImportActionData>({ errors, problems, values }, { status: 422 })
  }
  // A plain SurveyJS survey is mapped first (drivers, codings, groups): publishing waits for it (decision 023).
  const imported = templateMetadataSchema.safeParse(result.value.draftMetadata)
  const next = imported.success && imported.data.importedFrom === 'surveyjs' ? 'mapping' : 'edit'
  return redirect(`/app/surveys/${result.value.id}/${next}`)
}
