import { executiveSummary } from '#analysis/executive-summary.ts'
import type { ExportContext } from '../export-context.server.ts'
import { methodsNoteSections } from '../export-report.server.ts'
import { reportTableText } from '../export-table-view.server.ts'
import type { ExportTable } from '../export-tables.server.ts'
import type { PdfLayout, PdfTable } from './layout.server.ts'

/*
 * The sections of the PDF evidence pack, in reading order. Each renders the insight report through the same
 * builders as the HTML report (app/services/export-report.server.ts): the executive summary
 * (analysis/executive-summary.ts), the export tables (app/services/export-tables.server.ts) printed with the same
 * columns and strings (app/services/export-table-view.server.ts), and the methods note's sections. Nothing here
 * computes, rounds or judges a figure.
 *
 * Extension point: a section is an id, a title, the CSE elements it evidences (the CSE map lists it under each)
 * and a render function. The list is made by `pdfSections` (./evidence-pack-pdf.server.ts); a new kind of
 * evidence (comment themes, when they land) is one more entry there.
 */

export interface PdfSection {
  /** unique id: the PDF's named destination and the key of the page map */
  id: string
  title: string
  /** the CSE elements this section evidences */
  cseElements: string[]
  /** starts on a new page */
  newPage?: boolean
  render(out: PdfLayout, pages: PageLookup): void
}

/** The page a section starts on, from the previous layout pass ('?' on the first pass). */
export type PageLookup = (sectionId: string) => string

/** A chart ready to place (PNG from app/services/export-charts.server.ts) with its size and text alternative. */
export interface PdfChart {
  id: string
  png: Uint8Array
  alt: string
  width: number
  height: number
}

/** Relative widths of the printed columns, by column key (text columns wide, figures narrow). */
const WIDTH: Record<string, number> = {
  question: 3.2,
  measure_label: 2,
  group: 1.8,
  breakdown: 1.5,
  flag: 2.2,
  difference: 1.6,
  verdict: 1.6,
  quadrant: 3,
  label: 2,
  warnings: 2,
  test: 1.5,
  result: 2.5,
  segment: 1.5,
  item: 2.5,
  value: 2.5,
}

/** An export table as the PDF prints it: the HTML report's columns and strings. */
export function pdfTable(table: ExportTable, only?: string[]): PdfTable {
  const text = reportTableText(table)
  const keep = text.columns.map((c, i) => ({ c, i })).filter(({ c }) => !only || only.includes(c.key))
  return {
    caption: table.title,
    header: keep.map(({ c }) => c.header),
    rows: text.rows.map((r) => keep.map(({ i }) => r[i] ?? '')),
    widths: keep.map(({ c }) => WIDTH[c.key] ?? 1.25),
    numeric: keep.map(({ c }) => c.type !== 'text'),
  }
}

/** A table section: its description, CSE elements, optional chart, and the table. */
export function tableSection(
  table: ExportTable,
  options: { title?: string; chart?: PdfChart; only?: string[]; newPage?: boolean } = {},
): PdfSection {
  return {
    id: table.id,
    title: options.title ?? table.title,
    cseElements: table.cseElements,
    ...(options.newPage ? { newPage: true } : {}),
    render(out) {
      out.heading(table.id, options.title ?? table.title, 2, { newPage: options.newPage ?? false })
      out.paragraph(`CSE elements evidenced: ${table.cseElements.join(', ')}`, { small: true })
      out.paragraph(table.description)
      if (options.chart) out.figure(options.chart.png, options.chart.alt, options.chart)
      if (table.rows.length === 0) out.paragraph('There is nothing to show in this table yet.')
      else out.table(pdfTable(table, options.only))
    },
  }
}

/** The executive summary, each sentence followed by the page of the table behind it. */
export function summarySection(ctx: ExportContext, tableSectionOf: (tableId: string) => string | null): PdfSection {
  return {
    id: 'summary',
    title: 'Summary',
    cseElements: ['1.3.2'],
    render(out, pages) {
      out.heading('summary', 'Summary', 2)
      out.bullets(
        executiveSummary(ctx.insight.report).map((s) => {
          const section = tableSectionOf(s.table)
          return section ? `${s.text} (Table on page ${pages(section)}.)` : s.text
        }),
      )
    },
  }
}

/** The methods note (CSE 1.3.1): the sections of app/services/export-report.server.ts, word for word. */
export function methodsSection(ctx: ExportContext): PdfSection {
  return {
    id: 'methods',
    title: 'Methods note',
    cseElements: ['1.3.1'],
    newPage: true,
    render(out) {
      out.heading('methods', 'Methods note', 2, { newPage: true })
      out.paragraph(`CSE element 1.3.1 (reliable, accurate measurement). ${ctx.organisationName}.`, { small: true })
      for (const [i, s] of methodsNoteSections(ctx).entries()) {
        out.heading(`methods-${i}`, s.heading, 3)
        for (const p of s.paragraphs) out.paragraph(p)
        out.bullets(s.bullets ?? [])
        if (s.table)
          out.table({
            caption: s.table.caption,
            header: s.table.header,
            rows: s.table.rows,
            widths: s.table.header.map((_, j) => (j === s.table!.header.length - 1 ? 3 : 1.4)),
          })
      }
    },
  }
}
