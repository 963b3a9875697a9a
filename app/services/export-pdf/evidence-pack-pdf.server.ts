import type { Database } from '#db/client.ts'
import { buildCharts, svgToPng } from '../export-charts.server.ts'
import type { ExportContext } from '../export-context.server.ts'
import { buildExportTables, type ExportTable } from '../export-tables.server.ts'
import { actionsSection, loadPdfActions, type PdfAction } from './actions.server.ts'
import { cseMap, cseMapSection, type CseMapEntry } from './cse-map.server.ts'
import { loadPdfkit, PdfLayout, type PdfDocumentClass } from './layout.server.ts'
import {
  methodsSection,
  summarySection,
  tableSection,
  type PdfChart,
  type PdfSection,
} from './sections.server.ts'

/*
 * The CSE evidence pack as a PDF (issue 14, item 5; docs/decisions/021-pdf-evidence-pack.md), made on the server
 * with pdfkit from the export context (app/services/export-context.server.ts): the executive summary, a map from
 * each CSE element to the pages that evidence it, satisfaction, key drivers, trends and targets, "You said, we
 * did", comment themes, satisfaction by customer group, and the methods note. Every figure is the insight report's, through the
 * same tables and words as the HTML report and the dashboard.
 *
 * Page numbers are real: a quick draft of the document (untagged, no images) records the page each section
 * starts on, the document is laid out with those numbers in the summary and the CSE map, and it is checked that
 * every section is still on the page printed (printing a number can only move one when it changes a line's
 * wrapping); if not, it is drafted again with the new pages.
 */

/** What the PDF needs beyond the export context: read from the database before the (synchronous) layout. */
export interface PdfInput {
  actions: PdfAction[]
  charts: PdfChart[]
}

export interface BuiltPdf {
  bytes: Uint8Array
  pageCount: number
  /** 1-based page on which each section starts */
  sectionPages: Record<string, number>
  /** the CSE map as printed */
  cseMap: CseMapEntry[]
}

/** The charts placed beside their tables: PNGs of the pack's charts (none when resvg cannot load here). */
async function pdfCharts(ctx: ExportContext): Promise<PdfChart[]> {
  const out: PdfChart[] = []
  for (const c of buildCharts(ctx)) {
    if (c.id === 'overall-by-wave') continue
    const png = await svgToPng(c.svg)
    const size = /width="(\d+)" height="(\d+)"/.exec(c.svg)
    if (!png || !size) continue
    out.push({
      id: c.id,
      png,
      alt: `${c.title}. ${c.description} The table below gives the figures.`,
      width: Number(size[1]),
      height: Number(size[2]),
    })
  }
  return out
}

export async function loadPdfInput(db: Database, ctx: ExportContext): Promise<PdfInput> {
  return { actions: await loadPdfActions(db, ctx), charts: await pdfCharts(ctx) }
}

/**
 * The columns of the trends table the PDF prints, to fit a portrait page (the CSV keeps the waves, test, p-value
 * and warnings; the waves compared are those of the summary and of the by-wave table).
 */
const TREND_COLUMNS = [
  'measure_label',
  'latest_pct',
  'previous_pct',
  'change_points',
  'change_lower_points',
  'change_upper_points',
  'verdict',
  'target',
  'target_verdict',
]

/** The sections of the PDF in reading order. Extension point: a new kind of evidence is one more entry here. */
export function pdfSections(ctx: ExportContext, input: PdfInput, tables: ExportTable[]): PdfSection[] {
  const table = (id: string) => tables.find((t) => t.id === id)
  const chart = (id: string) => input.charts.find((c) => c.id === id)
  const sections: PdfSection[] = []
  const add = (t: ExportTable | undefined, options: Parameters<typeof tableSection>[1] = {}) => {
    if (t) sections.push(tableSection(t, options))
  }
  const byGroup = tables.filter((t) => t.id.startsWith('satisfaction-by-') && t.id !== 'satisfaction-by-wave')
  sections.push(summarySection(ctx, (id) => (sections.some((s) => s.id === id) ? id : null)))
  sections.push(cseMapSection(() => cseMap(ctx, sections)))
  add(table('satisfaction-overall'), { chart: chart('key-areas'), newPage: true })
  add(table('key-drivers'), { only: ['label', 'importance', 'shapley', 'performance', 'quadrant'] })
  add(table('trends'), { only: TREND_COLUMNS, newPage: true })
  add(table('satisfaction-by-wave'))
  sections.push(actionsSection(input.actions))
  // comment themes by group and driver (the export's themes table), when the survey has coded comments
  add(table('comment-themes'), { newPage: true })
  byGroup.forEach((t, i) =>
    add(t, { chart: chart(`overall-by-${t.id.slice('satisfaction-by-'.length)}`), newPage: i === 0 }),
  )
  add(table('segment-tests'))
  add(table('respondent-profile'), { newPage: true })
  add(table('weighting'))
  sections.push(methodsSection(ctx))
  return sections
}

function layOut(
  PDFDocument: PdfDocumentClass,
  ctx: ExportContext,
  sections: PdfSection[],
  pages: Map<string, number>,
  draft: boolean,
): PdfLayout {
  const title = `CSE evidence pack: ${ctx.survey.title}`
  const out = new PdfLayout(
    PDFDocument,
    {
      title,
      author: ctx.organisationName,
      subject: 'Customer Service Excellence evidence: customer satisfaction survey results',
      createdAt: ctx.generatedAt,
    },
    draft,
  )
  out.heading('title', title, 1)
  out.paragraph(
    `${ctx.organisationName} · wave ${ctx.survey.wave} · generated ${ctx.generatedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC · ${ctx.fieldwork.responses.toLocaleString('en-GB')} responses`,
    { small: true },
  )
  const lookup = (id: string) => String(pages.get(id) ?? '00')
  for (const s of sections) s.render(out, lookup)
  return out
}

const samePages = (a: Map<string, number>, b: Map<string, number>) =>
  a.size === b.size && [...a].every(([id, p]) => b.get(id) === p)

/** Lays the PDF out until its page numbers are stable, then writes it. */
export async function buildEvidencePdf(ctx: ExportContext, input: PdfInput): Promise<BuiltPdf> {
  const tables = buildExportTables(ctx)
  const sections = pdfSections(ctx, input, tables)
  // a draft pass finds the pages (printing '00' where a page number goes), the real (tagged) document prints
  // them; should printing them have moved a section, draft again with the pages found until they hold still
  const PDFDocument = await loadPdfkit()
  let pages = new Map<string, number>()
  let out: PdfLayout | null = null
  for (let pass = 0; pass < 4 && !out; pass++) {
    const draft = layOut(PDFDocument, ctx, sections, pages, true)
    draft.doc.end()
    const found = new Map(draft.sectionPages)
    const final = layOut(PDFDocument, ctx, sections, found, false)
    if (samePages(final.sectionPages, found)) out = final
    else {
      final.doc.end()
      pages = found
    }
  }
  if (!out) throw new Error('The PDF evidence pack could not settle its page numbers')
  const pageCount = out.doc.bufferedPageRange().count
  const bytes = await out.finish(`CSE evidence pack: ${ctx.survey.title}`)
  return {
    bytes,
    pageCount,
    sectionPages: Object.fromEntries(out.sectionPages),
    cseMap: cseMap(ctx, sections),
  }
}

