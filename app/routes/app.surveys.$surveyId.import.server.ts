import { requirePermission, type StaffContext } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { log } from '#app/utils/logger.server.ts'
import { ImportError, runImport, type ImportPhase, type ImportReport } from '#app/services/importer.server.ts'
import { requireOrganisationSurvey } from '#app/services/survey-links.server.ts'
import { describeSurvey } from '#app/services/survey-definition.server.ts'
import { getVersion } from '#db/queries/surveys.ts'
import { writeAudit } from '#db/queries/accounts.ts'
import { codesCsv, importColumns, templateCsv } from '#app/services/import-template.server.ts'

/** Files larger than this are refused before reading: 100,000 responses of the core survey are about 8 MB. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024

export async function loadImportPage(request: Request, surveyId: string | undefined) {
  const ctx = await requirePermission(request, 'import:create')
  const db = await getDb()
  const { survey, metadata, published } = await requireOrganisationSurvey(db, ctx.organisationId, surveyId)
  const version = survey.currentVersionId
    ? await getVersion(db, ctx.organisationId, survey.currentVersionId)
    : null
  const columns = version
    ? importColumns(version.definition, describeSurvey(version.definition, version.id), metadata)
    : []
  return {
    survey: { id: survey.id, title: survey.title, slug: survey.slug, wave: survey.wave },
    published,
    columns,
    maxBytes: MAX_IMPORT_BYTES,
  }
}

/**
 * The CSV template of a published survey (`?part=codes`: the companion list of allowed codes), as a download.
 * Both describe the published version, which is the one responses are imported into.
 */
export async function downloadImportTemplate(
  request: Request,
  surveyId: string | undefined,
): Promise<Response> {
  const ctx = await requirePermission(request, 'import:create')
  const db = await getDb()
  const { survey, metadata } = await requireOrganisationSurvey(db, ctx.organisationId, surveyId)
  const version = survey.currentVersionId
    ? await getVersion(db, ctx.organisationId, survey.currentVersionId)
    : null
  if (!version)
    throw new Response('Publish the survey first: the template lists its published questions.', {
      status: 409,
    })
  const columns = importColumns(version.definition, describeSurvey(version.definition, version.id), metadata)
  const codes = new URL(request.url).searchParams.get('part') === 'codes'
  const fileName = `${survey.slug}-${codes ? 'answer-codes' : 'responses-template'}.csv`.replace(
    /[^A-Za-z0-9._-]/g,
    '-',
  )
  return new Response(codes ? codesCsv(columns) : templateCsv(columns), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${fileName}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  })
}

export type ImportResult = { report: ImportReport } | { error: string }

async function readUpload(
  request: Request,
  surveyId: string | undefined,
): Promise<
  { ctx: StaffContext; slug: string; csv: Uint8Array; config?: unknown } | { error: string; status: number }
> {
  const ctx = await requirePermission(request, 'import:create')
  const db = await getDb()
  const { survey, published } = await requireOrganisationSurvey(db, ctx.organisationId, surveyId)
  if (!published) return { error: 'Publish the survey before importing responses into it.', status: 400 }
  if (Number(request.headers.get('Content-Length') ?? '0') > MAX_IMPORT_BYTES)
    return { error: 'The file is over 50 MB.', status: 413 }
  let form: FormData
  try {
    form = await request.formData()
  } catch {
    return { error: 'The upload could not be read. Choose the file again.', status: 400 }
  }
  const file = form.get('csv')
  if (!(file instanceof Blob) || file.size === 0)
    return { error: 'Choose a CSV file of responses.', status: 400 }
  if (file.size > MAX_IMPORT_BYTES) return { error: 'The file is over 50 MB.', status: 413 }
  const configFile = form.get('config')
  let config: unknown
  if (configFile instanceof Blob && configFile.size > 0) {
    try {
      config = JSON.parse(await configFile.text()) as unknown
    } catch {
      return { error: 'The configuration file is not valid JSON.', status: 400 }
    }
  }
  return { ctx, slug: survey.slug, csv: new Uint8Array(await file.arrayBuffer()), config }
}

async function importUpload(
  ctx: StaffContext,
  slug: string,
  csv: Uint8Array,
  config: unknown,
  onProgress?: (phase: ImportPhase, done: number, total: number) => void,
): Promise<ImportResult> {
  const db = await getDb()
  try {
    const report = await runImport(db, { csv, config, slug, organisationId: ctx.organisationId, onProgress })
    if (report.ok) {
      await writeAudit(db, {
        organisationId: ctx.organisationId,
        userId: ctx.userId,
        action: 'responses.imported',
        targetType: 'survey',
        targetId: report.surveyId,
        details: { inserted: report.inserted, skipped: report.skipped },
      })
      log('info', { event: 'import.done', surveyId: report.surveyId, count: report.inserted })
    }
    return { report }
  } catch (error) {
    if (error instanceof ImportError) return { error: error.message }
    throw error
  }
}

/** The no-JavaScript path: post the form, wait, see the report. */
export async function handleImportForm(
  request: Request,
  surveyId: string | undefined,
): Promise<ImportResult> {
  const upload = await readUpload(request, surveyId)
  if ('error' in upload) return { error: upload.error }
  return importUpload(upload.ctx, upload.slug, upload.csv, upload.config)
}

/**
 * The same import with progress: newline-delimited JSON, one `{"phase","done","total"}` line as work advances
 * and a last `{"result": …}` line. The page reads it as it arrives to move its progress bar.
 */
export async function streamImport(request: Request, surveyId: string | undefined): Promise<Response> {
  const upload = await readUpload(request, surveyId)
  const headers = {
    'Content-Type': 'application/x-ndjson; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
  }
  if ('error' in upload)
    return new Response(`${JSON.stringify({ result: { error: upload.error } })}\n`, {
      status: upload.status,
      headers,
    })
  const encoder = new TextEncoder()
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (value: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`))
      try {
        const result = await importUpload(
          upload.ctx,
          upload.slug,
          upload.csv,
          upload.config,
          (phase, done, total) => send({ phase, done, total }),
        )
        send({ result })
      } catch {
        send({ result: { error: 'The import failed and nothing was stored. Try again in a minute.' } })
      }
      controller.close()
    },
  })
  return new Response(stream, { headers })
}
