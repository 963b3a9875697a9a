import type { ExportTable } from '#app/services/export-tables.server.ts'
import { neutraliseFormula, type CsvValue } from './csv.ts'

/*
 * XLSX writer (exceljs): one worksheet per table, a title row with the CSE elements, a header row, typed
 * cells (proportions as numbers shown as percentages, never rounded in the stored value), and a "Notes"
 * sheet of definitions. Text cells get the same formula-injection neutralisation as CSV: a cell is written
 * as a string value, and text that starts with = + - @ tab CR LF NUL is prefixed with an apostrophe, so no
 * cell of the workbook is ever a formula.
 */

export interface WorkbookInput {
  title: string
  subtitle: string
  tables: ExportTable[]
  notes: Array<{ term: string; definition: string }>
  created: Date
}

function cellValue(value: CsvValue): string | number | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  return neutraliseFormula(value)
}

const NUMBER_FORMATS: Record<string, string> = {
  // a published % satisfied, already rounded to whole percent (app/services/export-tables.server.ts)
  percent: '0%',
  proportion: '0.0%',
  integer: '#,##0',
  number: '0.0000',
  p_value: '0.0000',
}

export async function writeWorkbook(input: WorkbookInput): Promise<Uint8Array> {
  // Loaded on the first workbook, not when the server starts: exceljs is the slowest module of the server
  // bundle to import (about 0.9 s; docs/benchmarks.md, "Server start").
  const { default: ExcelJS } = await import('exceljs')
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'CSE Insight'
  workbook.created = input.created
  workbook.modified = input.created
  workbook.title = neutraliseFormula(input.title)
  for (const table of input.tables) {
    const sheet = workbook.addWorksheet(table.sheetName, { views: [{ state: 'frozen', ySplit: 4 }] })
    sheet.getCell('A1').value = neutraliseFormula(table.title)
    sheet.getCell('A1').font = { bold: true, size: 14 }
    sheet.getCell('A2').value = neutraliseFormula(`CSE elements evidenced: ${table.cseElements.join(', ')}`)
    sheet.getCell('A3').value = neutraliseFormula(table.description)
    const header = sheet.getRow(4)
    table.columns.forEach((c, i) => {
      const cell = header.getCell(i + 1)
      cell.value = neutraliseFormula(c.header)
      cell.font = { bold: true }
      cell.alignment = { wrapText: true, vertical: 'top' }
    })
    table.rows.forEach((row, r) => {
      const excelRow = sheet.getRow(5 + r)
      table.columns.forEach((c, i) => {
        const cell = excelRow.getCell(i + 1)
        const value = cellValue(row[c.key])
        cell.value = value
        if (typeof value === 'number' && NUMBER_FORMATS[c.type]) cell.numFmt = NUMBER_FORMATS[c.type]!
      })
    })
    table.columns.forEach((c, i) => {
      sheet.getColumn(i + 1).width = c.type === 'text' ? 28 : 14
    })
  }
  const notes = workbook.addWorksheet('Notes')
  notes.getCell('A1').value = neutraliseFormula(input.title)
  notes.getCell('A1').font = { bold: true, size: 14 }
  notes.getCell('A2').value = neutraliseFormula(input.subtitle)
  notes.getRow(4).values = ['Term', 'Definition']
  notes.getRow(4).font = { bold: true }
  input.notes.forEach((n, i) => {
    notes.getRow(5 + i).values = [neutraliseFormula(n.term), neutraliseFormula(n.definition)]
  })
  const offset = 6 + input.notes.length
  notes.getRow(offset).values = ['Sheet', 'Table', 'CSE elements']
  notes.getRow(offset).font = { bold: true }
  input.tables.forEach((t, i) => {
    notes.getRow(offset + 1 + i).values = [
      neutraliseFormula(t.sheetName),
      neutraliseFormula(t.title),
      neutraliseFormula(t.cseElements.join(', ')),
    ]
  })
  notes.getColumn(1).width = 30
  notes.getColumn(2).width = 100
  const buffer = await workbook.xlsx.writeBuffer()
  return new Uint8Array(buffer as ArrayBuffer)
}
