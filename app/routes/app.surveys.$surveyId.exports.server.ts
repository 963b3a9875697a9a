import { redirect } from '@remix-run/node'
import { requirePermission, type StaffContext } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { log } from '#app/utils/logger.server.ts'
import { can } from '#app/utils/permissions.ts'
import {
  ExportNotAvailable,
  loadExportContext,
  type ExportContext,
} from '#app/services/export-context.server.ts'
import { codebookCsv, microdataStream, type MicrodataOptions } from '#app/services/export-microdata.server.ts'
import { createEvidencePack, packFileName } from '#app/services/export-pack.server.ts'
import { buildEvidencePdf, loadPdfInput } from '#app/services/export-pdf/evidence-pack-pdf.server.ts'
import { rScript } from '#app/services/export-r-script.server.ts'
import { evidenceReportHtml, methodsNoteMarkdown } from '#app/services/export-report.server.ts'
import { buildCharts } from '#app/services/export-charts.server.ts'
import { buildExportTables, definitions, tableCsv } from '#app/services/export-tables.server.ts'
import { writeWorkbook } from '#app/utils/xlsx.server.ts'
import { writeAudit } from '#db/queries/accounts.ts'
import { getEvidencePack, listEvidencePacks, listExportAudit } from '#db/queries/exports.ts'
import { countResponses } from '#db/queries/responses.ts'
import { getSurveyForOrganisation } from '#db/queries/surveys.ts'
import { exportDownloadSchema } from './app.surveys.$surveyId.exports.schema.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

async function requireSurvey(staff: StaffContext, surveyId: string | undefined) {
  if (!surveyId || !UUID.test(surveyId)) throw new Response('Survey not found', { status: 404 })
  const survey = await getSurveyForOrganisation(await getDb(), staff.organisationId, surveyId)
  if (!survey) throw new Response('Survey not found', { status: 404 })
  return survey
}

async function requireContext(staff: StaffContext, surveyId: string): Promise<ExportContext> {
  try {
    const ctx = await loadExportContext(await getDb(), staff.organisationId, surveyId, {
      organisationName: staff.organisationName,
    })
    if (!ctx) throw new Response('Survey not found', { status: 404 })
    return ctx
  } catch (error) {
    if (error instanceof ExportNotAvailable) throw new Response(error.message, { status: 409 })
    throw error
  }
}

/**
 * The tables a CSV can be downloaded for: exactly those the export builds from this survey's insight report
 * (buildExportTables), so the page never offers a table the download would refuse (no key drivers, no
 * weighting). Empty, with the reason, when there is nothing to export yet.
 */
async function availableTables(
  staff: StaffContext,
  surveyId: string,
): Promise<{ tables: Array<{ id: string; title: string }>; unavailable: string | null }> {
  try {
    const ctx = await loadExportContext(await getDb(), staff.organisationId, surveyId, {
      organisationName: staff.organisationName,
    })
    if (!ctx) throw new Response('Survey not found', { status: 404 })
    return { tables: buildExportTables(ctx).map((t) => ({ id: t.id, title: t.title })), unavailable: null }
  } catch (error) {
    if (error instanceof ExportNotAvailable) return { tables: [], unavailable: error.message }
    throw error
  }
}

export async function loadExportsPage(request: Request, surveyId: string | undefined) {
  const staff = await requirePermission(request, 'export:create')
  const survey = await requireSurvey(staff, surveyId)
  const db = await getDb()
  const [responses, packs, audit, available] = await Promise.all([
    countResponses(db, staff.organisationId, survey.id),
    listEvidencePacks(db, staff.organisationId, survey.id),
    can(staff.role, 'audit:read')
      ? listExportAudit(db, staff.organisationId, survey.id, 20)
      : Promise.resolve(null),
    availableTables(staff, survey.id),
  ])
  return {
    survey: {
      id: survey.id,
      title: survey.title,
      wave: survey.wave,
      published: survey.currentVersionId !== null,
    },
    responses,
    canExportMicrodata: can(staff.role, 'microdata:export'),
    packs: packs.map((p) => ({
      id: p.id,
      contentHash: p.contentHash,
      sizeBytes: p.sizeBytes,
      createdAt: p.createdAt.toISOString(),
      createdByName: p.createdByName,
    })),
    audit:
      audit?.map((a) => ({ id: a.id, action: a.action, at: a.at.toISOString(), userName: a.userName })) ??
      null,
    tables: available.tables,
    tablesUnavailable: available.unavailable,
  }
}

function attachment(
  body: BodyInit,
  type: string,
  fileName: string,
  extra: Record<string, string> = {},
  inline = false,
): Response {
  return new Response(body, {
    headers: {
      'Content-Type': type,
      'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '-')}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...extra,
    },
  })
}

/** POST: one export, audited (who, when, what). */
export async function downloadExport(request: Request, surveyId: string | undefined): Promise<Response> {
  const staff = await requirePermission(request, 'export:create')
  const survey = await requireSurvey(staff, surveyId)
  const parsed = exportDownloadSchema.safeParse(Object.fromEntries(await request.formData()))
  if (!parsed.success) {
    return new Response(parsed.error.issues.map((i) => i.message).join('\n'), {
      status: 400,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    })
  }
  const form = parsed.data
  // Response-level data (free text, special-category equality answers) is personal data: viewers get the
  // suppressed tables and packs, not the rows.
  if (form.kind === 'microdata' && !can(staff.role, 'microdata:export')) {
    throw new Response('Your role does not allow response-level exports.', { status: 403 })
  }
  // Every export renders the one insight report (its weights for the microdata): loaded from the maintained
  // aggregates, so it costs the same for every kind of export.
  const ctx = await requireContext(staff, survey.id)
  const db = await getDb()
  const options: MicrodataOptions = {
    includeFreeText: form.freeText,
    includeEquality: form.equality,
    bom: form.bom,
  }
  const prefix = `${ctx.survey.slug}-${ctx.generatedAt.toISOString().slice(0, 10)}`
  const audit = (details: Record<string, unknown>) =>
    writeAudit(db, {
      organisationId: staff.organisationId,
      userId: staff.userId,
      action: `export.${form.kind}`,
      targetType: 'survey',
      targetId: survey.id,
      details,
    })
  log('info', {
    event: 'export.created',
    route: form.kind,
    surveyId: survey.id,
    organisationId: staff.organisationId,
    userId: staff.userId,
  })
  switch (form.kind) {
    case 'tables-xlsx': {
      const tables = buildExportTables(ctx)
      const bytes = await writeWorkbook({
        title: `${ctx.survey.title}: CSE evidence tables`,
        subtitle: `${ctx.organisationName}, generated ${ctx.generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
        tables,
        notes: definitions(ctx),
        created: ctx.generatedAt,
      })
      await audit({ tables: tables.length })
      return attachment(
        bytes as Uint8Array<ArrayBuffer>,
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        `${prefix}-tables.xlsx`,
      )
    }
    case 'table-csv': {
      const table = buildExportTables(ctx).find((t) => t.id === (form.table ?? 'dashboard'))
      if (!table)
        return new Response('That table is not available for this survey.', {
          status: 400,
          headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        })
      await audit({ table: table.id, bom: form.bom })
      return attachment(
        tableCsv(table, { bom: form.bom }),
        'text/csv; charset=utf-8',
        `${prefix}-${table.id}.csv`,
      )
    }
    case 'microdata': {
      await audit({
        freeText: options.includeFreeText,
        equality: options.includeEquality,
        bom: options.bom,
        rows: ctx.insight.report.meta.respondents,
      })
      // one row per respondent of the series, as in the report (every wave)
      return attachment(
        microdataStream(db, ctx, options),
        'text/csv; charset=utf-8',
        `${prefix}-microdata.csv`,
        { 'X-Export-Rows': String(ctx.insight.report.meta.respondents) },
      )
    }
    case 'codebook':
      await audit({ freeText: options.includeFreeText, equality: options.includeEquality })
      return attachment(codebookCsv(ctx, options), 'text/csv; charset=utf-8', `${prefix}-codebook.csv`)
    case 'r-script':
      await audit({ freeText: options.includeFreeText, equality: options.includeEquality })
      return attachment(rScript(ctx, options), 'text/plain; charset=utf-8', 'reproduce.R')
    case 'methods-note':
      await audit({})
      return attachment(methodsNoteMarkdown(ctx), 'text/markdown; charset=utf-8', `${prefix}-methods-note.md`)
    case 'pdf': {
      // the PDF evidence pack (app/services/export-pdf/), the same document the pack's ZIP holds
      const pdf = await buildEvidencePdf(ctx, await loadPdfInput(db, ctx))
      await audit({ pages: pdf.pageCount, sizeBytes: pdf.bytes.byteLength })
      return attachment(pdf.bytes as Uint8Array<ArrayBuffer>, 'application/pdf', `${prefix}-evidence-pack.pdf`, {
        'Content-Length': String(pdf.bytes.byteLength),
      })
    }
    case 'report': {
      await audit({})
      const tables = buildExportTables(ctx)
      // A standalone document with no scripts; shown in the browser so it can be printed to PDF.
      return attachment(
        evidenceReportHtml(ctx, tables, buildCharts(ctx)),
        'text/html; charset=utf-8',
        `${prefix}-evidence-report.html`,
        {
          'Content-Security-Policy':
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        },
        true,
      )
    }
  }
  return new Response('Unknown export', { status: 400 })
}

/** POST: build, freeze and store a new evidence pack, then show it in the list. */
export async function createPack(request: Request, surveyId: string | undefined): Promise<Response> {
  const staff = await requirePermission(request, 'export:create')
  const survey = await requireSurvey(staff, surveyId)
  const ctx = await requireContext(staff, survey.id)
  const pack = await createEvidencePack(await getDb(), ctx, staff.userId)
  log('info', {
    event: 'export.evidence_pack.created',
    surveyId: survey.id,
    organisationId: staff.organisationId,
    userId: staff.userId,
  })
  return redirect(`/app/surveys/${survey.id}/exports?created=${pack.id}#packs`, 303)
}

/** GET: one frozen pack of this survey in this organisation, exactly as stored. */
export async function downloadPack(
  request: Request,
  surveyId: string | undefined,
  packId: string | undefined,
): Promise<Response> {
  const staff = await requirePermission(request, 'export:create')
  const survey = await requireSurvey(staff, surveyId)
  const db = await getDb()
  const pack = packId ? await getEvidencePack(db, staff.organisationId, survey.id, packId) : null
  if (!pack) throw new Response('Evidence pack not found', { status: 404 })
  // Reading a frozen snapshot changes nothing; the audit entry records who took a copy.
  await writeAudit(db, {
    organisationId: staff.organisationId,
    userId: staff.userId,
    action: 'export.evidence_pack.download',
    targetType: 'survey',
    targetId: survey.id,
    details: { packId: pack.id, sha256: pack.contentHash },
  })
  const name = packFileName(survey.slug, pack.createdAt)
  return attachment(pack.zip as Uint8Array<ArrayBuffer>, 'application/zip', name, {
    'X-Content-SHA256': pack.contentHash,
    'Content-Length': String(pack.zip.byteLength),
  })
}
