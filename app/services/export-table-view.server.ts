import type { ExportTable, TableColumn } from './export-tables.server.ts'

/*
 * How a published table reads on paper: which columns the printed report shows and how each figure is written.
 * Shared by the HTML report (app/services/export-report.server.ts) and the PDF evidence pack
 * (app/services/export-pdf/), so the two print the same strings; the CSV/XLSX keep every column and raw values.
 */

/** A published proportion as the dashboard shows it: whole percent (the report has rounded it already). */
export const pct = (p: number | null | undefined) =>
  p === null || p === undefined ? 'n/a' : `${Math.round(p * 100)}%`
/** A share of respondents or of the population, to one decimal. */
export const share = (p: number | null | undefined) =>
  p === null || p === undefined ? 'n/a' : `${(p * 100).toFixed(1)}%`

export function formatCell(value: unknown, type: string): string {
  if (value === null || value === undefined || value === '') return ''
  if (typeof value === 'number') {
    if (type === 'percent') return pct(value)
    if (type === 'proportion') return share(value)
    if (type === 'integer') return value.toLocaleString('en-GB')
    if (type === 'p_value') return value < 0.001 ? '<0.001' : value.toFixed(3)
    return value.toLocaleString('en-GB', { maximumFractionDigits: 3 })
  }
  return String(value)
}

/** Which columns the printed report shows (the CSV/XLSX keep them all). */
const REPORT_COLUMNS: Record<string, string[]> = {
  dashboard: ['breakdown', 'group', 'measure_label', 'base', 'pct_satisfied', 'lower', 'upper', 'difference', 'flag'],
  satisfaction: ['measure_label', 'question', 'base', 'pct_satisfied', 'lower', 'upper', 'flag'],
  bygroup: ['group', 'measure_label', 'base', 'pct_satisfied', 'lower', 'upper', 'difference', 'flag'],
}

/** The columns of a table as the printed report shows them. */
export function reportColumns(table: ExportTable): TableColumn[] {
  const keys =
    table.id === 'dashboard'
      ? REPORT_COLUMNS.dashboard!
      : table.id === 'satisfaction-overall'
        ? REPORT_COLUMNS.satisfaction!
        : table.id.startsWith('satisfaction-by-')
          ? REPORT_COLUMNS.bygroup!
          : table.columns.map((c) => c.key).filter((k) => k !== 'group_code')
  return keys.map((k) => table.columns.find((c) => c.key === k)!).filter(Boolean)
}

/** A table's printed header and cells, as strings (the HTML report and the PDF write exactly these). */
export function reportTableText(table: ExportTable): { columns: TableColumn[]; header: string[]; rows: string[][] } {
  const columns = reportColumns(table)
  return {
    columns,
    header: columns.map((c) => c.header),
    rows: table.rows.map((row) => columns.map((c) => formatCell(row[c.key], c.type))),
  }
}
