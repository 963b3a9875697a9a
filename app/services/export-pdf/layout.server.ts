import { createRequire } from 'node:module'
import type PDFKitDocument from 'pdfkit'

/*
 * The page layout of the PDF evidence pack (docs/decisions/021-pdf-evidence-pack.md): headings, paragraphs,
 * lists, tables and figures written with pdfkit into a tagged PDF (H1/H2/H3, P, L, Table with TH/TD, Figure with
 * its alternative text), in DejaVu Sans embedded from the `dejavu-fonts-ttf` package so that Welsh letters
 * (ŵ, ŷ) and the minus sign (−) print: pdfkit's built-in Helvetica is WinAnsi-encoded and has neither.
 * The layout records the page on which each section starts, so the CSE map (./cse-map.server.ts) can print real
 * page numbers. It formats nothing: every string it writes is made by the section builders.
 */

const require = createRequire(import.meta.url)
const FONT_REGULAR = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')
/** tables are set in the condensed cut, so figures' headers fit narrow columns */
const FONT_TABLE = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansCondensed.ttf')
const FONT_TABLE_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansCondensed-Bold.ttf')
// Fonts are named by their path, not registered under an alias: pdfkit's tables restore the font by its source
// after each cell, and only a path source is cached (an alias made it re-read and re-parse the file every cell).

const COLOURS = { text: '#0b0c0c', secondary: '#505a5f', rule: '#b1b4b6', headerFill: '#f3f2f1', accent: '#1d70b8' }
const SIZES = { h1: 20, h2: 15, h3: 12, body: 10, small: 8.5, table: 8, tableHeader: 7.5 }

export interface PdfTable {
  caption: string
  header: string[]
  rows: string[][]
  /** relative column widths (default equal) */
  widths?: number[]
  /** columns aligned right (figures) */
  numeric?: boolean[]
}

type StructElement = ReturnType<PDFKit.PDFDocument['struct']>

/** pdfkit's document class, as {@link loadPdfkit} returns it. */
export type PdfDocumentClass = typeof PDFKitDocument

/**
 * pdfkit, loaded on the first PDF rather than when the server starts: with its fonts and dependencies it is one
 * of the slowest modules of the server bundle to import (about 0.5 s; docs/benchmarks.md, "Server start").
 */
export async function loadPdfkit(): Promise<PdfDocumentClass> {
  return (await import('pdfkit')).default
}

export class PdfLayout {
  readonly doc: PDFKit.PDFDocument
  /** 1-based page on which each section (by id) starts */
  readonly sectionPages = new Map<string, number>()
  private section: StructElement | null = null
  private readonly chunks: Uint8Array[] = []
  private readonly done: Promise<Uint8Array>

  /**
   * @param draft a pass that only measures where sections fall: untagged and without images (a figure keeps its
   *   size), which lays out the same pages in a fraction of the time.
   */
  constructor(
    PDFDocument: PdfDocumentClass,
    meta: { title: string; author: string; subject: string; createdAt: Date },
    private readonly draft = false,
  ) {
    this.doc = new PDFDocument({
      size: 'A4',
      margins: { top: 56, bottom: 64, left: 56, right: 56 },
      lang: 'en-GB',
      tagged: !draft,
      displayTitle: true,
      pdfVersion: '1.7',
      bufferPages: true,
      info: {
        Title: meta.title,
        Author: meta.author,
        Subject: meta.subject,
        Creator: 'CSE Insight',
        Producer: 'CSE Insight (pdfkit)',
        CreationDate: meta.createdAt,
        ModDate: meta.createdAt,
      },
    })
    this.doc.font(FONT_REGULAR).fontSize(SIZES.body).fillColor(COLOURS.text)
    this.doc.on('data', (c: Uint8Array) => this.chunks.push(c))
    this.done = new Promise((resolve, reject) => {
      this.doc.on('end', () => resolve(Buffer.concat(this.chunks)))
      this.doc.on('error', reject)
    })
  }

  /** The current page, 1-based (pages are buffered, so writing always happens on the last one). */
  get page(): number {
    const range = this.doc.bufferedPageRange()
    return range.start + range.count
  }

  private get width(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right
  }

  /** the section's structure element (none in a draft: nothing is tagged) */
  private get parent(): StructElement | undefined {
    if (this.draft) return undefined
    if (!this.section) throw new Error('Start a section before writing to it')
    return this.section
  }

  /** Moves to a new page unless at least `space` points are left on this one. */
  ensureSpace(space: number): void {
    if (this.doc.y + space > this.doc.page.height - this.doc.page.margins.bottom) this.doc.addPage()
  }

  /**
   * Starts a section (a tagged Sect with its heading), optionally on a new page, and records its page under `id`.
   * Level 1 is the document title, 2 a section of the pack, 3 a part of one.
   */
  heading(id: string, text: string, level: 1 | 2 | 3, options: { newPage?: boolean } = {}): void {
    const doc = this.doc
    if (options.newPage && doc.y > doc.page.margins.top + 1) doc.addPage()
    else this.ensureSpace(level === 3 ? 60 : 90)
    if (!this.draft && (level <= 2 || !this.section)) {
      this.section?.end()
      this.section = doc.struct('Sect')
      doc.addStructure(this.section)
    }
    if (level === 3) doc.moveDown(0.4)
    this.sectionPages.set(id, this.page)
    doc.addNamedDestination(id)
    doc
      .font(FONT_BOLD)
      .fontSize(SIZES[`h${level}`])
      .fillColor(level === 2 ? COLOURS.accent : COLOURS.text)
      .text(text, { structParent: this.parent, structType: `H${level}` })
    doc.font(FONT_REGULAR).fontSize(SIZES.body).fillColor(COLOURS.text).moveDown(0.4)
  }

  paragraph(text: string, options: { small?: boolean; bold?: boolean } = {}): void {
    this.doc
      .font(options.bold ? FONT_BOLD : FONT_REGULAR)
      .fontSize(options.small ? SIZES.small : SIZES.body)
      .fillColor(options.small ? COLOURS.secondary : COLOURS.text)
      .text(text, { structParent: this.parent, structType: 'P', width: this.width })
    this.doc.font(FONT_REGULAR).fontSize(SIZES.body).fillColor(COLOURS.text).moveDown(0.5)
  }

  bullets(items: string[]): void {
    if (items.length === 0) return
    this.doc.fontSize(SIZES.body).list(items, {
      structParent: this.parent,
      structTypes: ['LI', 'Lbl', 'LBody'],
      bulletRadius: 1.8,
      textIndent: 12,
      paragraphGap: 3,
      width: this.width,
    } as PDFKit.Mixins.TextOptions)
    this.doc.moveDown(0.5)
  }

  /** A table with its caption, tagged Table/TR/TH/TD (the first column is a row header). */
  table(t: PdfTable): void {
    const doc = this.doc
    this.ensureSpace(70)
    doc
      .font(FONT_BOLD)
      .fontSize(SIZES.body)
      .text(t.caption, { structParent: this.parent, structType: 'Caption', width: this.width })
    doc.font(FONT_TABLE).fontSize(SIZES.table).moveDown(0.2)
    const weights = t.widths ?? t.header.map(() => 1)
    const total = weights.reduce((a, b) => a + b, 0)
    const columns = weights.map((w) => (w / total) * this.width)
    const cell = (text: string, i: number, header: boolean) => ({
      text,
      type: header || i === 0 ? ('TH' as const) : ('TD' as const),
      scope: header ? 'Column' : i === 0 ? 'Row' : undefined,
      // only header cells change the font: a font per cell doubles pdfkit's time per cell
      ...(header ? { font: { src: FONT_TABLE_BOLD, size: SIZES.tableHeader } } : {}),
      align: { x: t.numeric?.[i] && !header ? ('right' as const) : ('left' as const), y: 'top' as const },
      backgroundColor: header ? COLOURS.headerFill : undefined,
    })
    doc.x = doc.page.margins.left
    const table = doc.table({
      columnStyles: columns,
      defaultStyle: { border: 0.5, borderColor: COLOURS.rule, padding: [2, 3, 2, 3] },
      structParent: this.parent,
    } as PDFKit.Mixins.TableOptions)
    table.row(t.header.map((h, i) => cell(h, i, true)) as PDFKit.Mixins.RowOptions[])
    for (const row of t.rows) table.row(row.map((c, i) => cell(c, i, false)) as PDFKit.Mixins.RowOptions[])
    table.end()
    doc.x = doc.page.margins.left
    doc.font(FONT_REGULAR).fontSize(SIZES.body).moveDown(0.8)
  }

  /** A chart image (PNG) tagged as a Figure with its alternative text. */
  figure(png: Uint8Array, alt: string, size: { width: number; height: number }): void {
    const width = Math.min(this.width, size.width)
    const height = (size.height / size.width) * width
    this.ensureSpace(height + 10)
    const doc = this.doc
    const x = doc.page.margins.left
    const y = doc.y
    if (!this.draft)
      this.parent!.add(doc.struct('Figure', { alt }, () => doc.image(Buffer.from(png), x, y, { width, height })))
    doc.x = x
    doc.y = y + height + 6
  }

  /** Footer on every page ("Page n of N"), marked as an artifact so screen readers skip it; then the bytes. */
  async finish(footer: string): Promise<Uint8Array> {
    this.section?.end()
    this.section = null
    const doc = this.doc
    const range = doc.bufferedPageRange()
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i)
      const bottom = doc.page.margins.bottom
      // writing below the bottom margin would start a new page: lift the margin while the footer is written
      doc.page.margins.bottom = 0
      doc.markContent('Artifact', { type: 'Pagination' })
      doc
        .font(FONT_REGULAR)
        .fontSize(SIZES.small)
        .fillColor(COLOURS.secondary)
        .text(`${footer} · Page ${i + 1} of ${range.count}`, doc.page.margins.left, doc.page.height - 40, {
          width: this.width,
          align: 'center',
          lineBreak: false,
        })
      doc.endMarkedContent()
      doc.page.margins.bottom = bottom
    }
    doc.end()
    return this.done
  }
}
