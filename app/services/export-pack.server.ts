import { createHash } from 'node:crypto'
import { zipSync, type Zippable } from 'fflate'
import type { Database } from '#db/client.ts'
import { writeAudit } from '#db/queries/accounts.ts'
import { insertEvidencePack, type EvidencePackSummary } from '#db/queries/exports.ts'
import { writeWorkbook } from '#app/utils/xlsx.server.ts'
import { buildCharts, svgToPng } from './export-charts.server.ts'
import type { ExportContext } from './export-context.server.ts'
import { codebookCsv, type MicrodataOptions } from './export-microdata.server.ts'
import { buildEvidencePdf, loadPdfInput, type PdfInput } from './export-pdf/evidence-pack-pdf.server.ts'
import { rScript } from './export-r-script.server.ts'
import { evidenceReportHtml, methodsNoteMarkdown, summaryLines } from './export-report.server.ts'
import { buildExportTables, definitions, tableCsv } from './export-tables.server.ts'

/*
 * The CSE evidence pack: one ZIP of the PDF evidence pack (./export-pdf/), the printable report, the methods note, every table as XLSX and CSV, every
 * chart as SVG and PNG, and the R reproduction script with its codebook. Every figure in it is the insight
 * report's published figure (ctx.insight.report, as on the dashboard); the app's exact headline numbers (with
 * satisfied counts, app/services/export-r-script.server.ts) are an analyst's tool that goes with the microdata,
 * never in the pack. A manifest lists each file with its SHA-256. Stored packs are frozen: the ZIP bytes are kept with the SHA-256
 * of the whole ZIP, so an assessor can check that the pack they hold is the one that was evidenced.
 *
 * Response-level data is deliberately not in the pack: it is personal (and special-category) data that an
 * assessor does not need; the microdata export is a separate, audited download.
 */

export const PACK_MICRODATA_OPTIONS: MicrodataOptions = {
  includeFreeText: false,
  includeEquality: true,
  bom: false,
}

export interface PackFile {
  path: string
  bytes: Uint8Array
}

export interface BuiltPack {
  zip: Uint8Array
  sha256: string
  files: Array<{ path: string; size: number; sha256: string }>
}

const encoder = new TextEncoder()
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

export function packFileName(surveySlug: string, createdAt: Date): string {
  return `cse-evidence-pack-${surveySlug.replace(/[^a-z0-9-]/gi, '-')}-${createdAt.toISOString().slice(0, 10)}.zip`
}

/** The files of the pack; `pdfInput` is what the PDF reads from the database (loadPdfInput). */
export async function buildEvidencePackFiles(ctx: ExportContext, pdfInput: PdfInput): Promise<PackFile[]> {
  const tables = buildExportTables(ctx)
  const charts = buildCharts(ctx)
  const files: PackFile[] = []
  const text = (path: string, content: string) => files.push({ path, bytes: encoder.encode(content) })
  files.push({ path: 'evidence-pack.pdf', bytes: (await buildEvidencePdf(ctx, pdfInput)).bytes })
  text('report.html', evidenceReportHtml(ctx, tables, charts))
  text('methods-note.md', methodsNoteMarkdown(ctx))
  files.push({
    path: 'tables/tables.xlsx',
    bytes: await writeWorkbook({
      title: `${ctx.survey.title}: CSE evidence tables`,
      subtitle: `${ctx.organisationName}, generated ${ctx.generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      tables,
      notes: definitions(ctx),
      created: ctx.generatedAt,
    }),
  })
  for (const t of tables) text(`tables/${t.id}.csv`, tableCsv(t, { bom: true }))
  let pngMissing = false
  for (const c of charts) {
    text(`charts/${c.id}.svg`, c.svg)
    const png = await svgToPng(c.svg)
    if (png) files.push({ path: `charts/${c.id}.png`, bytes: png })
    else pngMissing = true
  }
  text('reproduce/reproduce.R', rScript(ctx, PACK_MICRODATA_OPTIONS))
  text('reproduce/codebook.csv', codebookCsv(ctx, PACK_MICRODATA_OPTIONS))
  text(
    'README.txt',
    [
      `CSE evidence pack: ${ctx.survey.title}`,
      `${ctx.organisationName}. Generated ${ctx.generatedAt.toISOString()} by CSE Insight from ${ctx.fieldwork.responses} responses.`,
      '',
      'Summary (the same as at the top of the dashboard and of report.html):',
      ...summaryLines(ctx),
      '',
      'evidence-pack.pdf      the evidence pack as a PDF: summary, CSE map with page numbers, results, actions, methods',
      'report.html            printable report (open in a browser; Print > Save as PDF gives a clean PDF)',
      'methods-note.md        methods note for CSE element 1.3.1',
      'tables/tables.xlsx     every table, one sheet each, with a Notes sheet of definitions',
      'tables/*.csv           the same tables as CSV (UTF-8 with BOM, RFC 4180)',
      `charts/*.svg, *.png    the charts${pngMissing ? ' (PNG could not be rendered on this server; SVG only)' : ''}`,
      'reproduce/reproduce.R  R script (survey package) that recomputes the headline table from the microdata export',
      'reproduce/codebook.csv column definitions of the microdata export',
      'manifest.json          SHA-256 of every file',
      '',
      'Every figure is the one the dashboard shows by default, rounded for publication; no count of satisfied',
      'respondents is published, so that the answers of a group too small to report cannot be worked out.',
      'The response-level microdata is not in this pack (it is personal data). Staff allowed to export it can',
      'download it from the exports page, save it as reproduce/microdata.csv, and run:',
      'Rscript reproduce.R microdata.csv r-headline.json',
    ].join('\r\n'),
  )
  const manifest = {
    generator: 'CSE Insight',
    generatedAt: ctx.generatedAt.toISOString(),
    organisation: ctx.organisationName,
    survey: {
      id: ctx.survey.id,
      title: ctx.survey.title,
      wave: ctx.survey.wave,
      version: ctx.version.version,
    },
    responses: ctx.fieldwork.responses,
    weighted: ctx.insight.report.meta.weighted,
    files: files.map((f) => ({ path: f.path, size: f.bytes.byteLength, sha256: sha256(f.bytes) })),
  }
  text('manifest.json', JSON.stringify(manifest, null, 2))
  return files
}

export async function buildEvidencePack(ctx: ExportContext, pdfInput: PdfInput): Promise<BuiltPack> {
  const files = await buildEvidencePackFiles(ctx, pdfInput)
  const root = packFileName(ctx.survey.slug, ctx.generatedAt).replace(/\.zip$/, '')
  const mtime = ctx.generatedAt
  const zippable: Zippable = {}
  for (const f of files)
    zippable[`${root}/${f.path}`] = [
      f.bytes,
      { mtime, level: /\.(png|xlsx|pdf)$/.test(f.path) ? 0 : 6 },
    ]
  const zip = zipSync(zippable, { mtime })
  return {
    zip,
    sha256: sha256(zip),
    files: files.map((f) => ({ path: f.path, size: f.bytes.byteLength, sha256: sha256(f.bytes) })),
  }
}

/** Builds, freezes (stores with its hash) and audits a new pack. */
export async function createEvidencePack(
  db: Database,
  ctx: ExportContext,
  userId: string | null,
): Promise<EvidencePackSummary> {
  const built = await buildEvidencePack(ctx, await loadPdfInput(db, ctx))
  const stored = await insertEvidencePack(db, {
    organisationId: ctx.organisationId,
    surveyId: ctx.survey.id,
    createdBy: userId,
    contentHash: built.sha256,
    zip: built.zip,
    createdAt: ctx.generatedAt,
  })
  await writeAudit(db, {
    organisationId: ctx.organisationId,
    userId,
    action: 'export.evidence_pack.create',
    targetType: 'survey',
    targetId: ctx.survey.id,
    details: {
      packId: stored.id,
      sha256: built.sha256,
      sizeBytes: built.zip.byteLength,
      files: built.files.length,
      responses: ctx.fieldwork.responses,
    },
  })
  return stored
}
