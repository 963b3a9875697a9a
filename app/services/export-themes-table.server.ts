import type { ThemeFrequency } from '#analysis/theme-frequency.ts'
import type { CsvValue } from '#app/utils/csv.ts'
import { themeCellNote } from '#app/components/theme-frequency.tsx'
import type { TableColumn } from './export-tables.server.ts'

/*
 * The comment-themes table of the exports and the evidence pack (issue 14, item 3): the rows of the one
 * published theme frequency (app/services/comment-themes.server.ts → analysis/theme-frequency.ts), written as
 * the themes page shows them. Hidden cells carry no number; no count of comments carrying a theme is written.
 */

export const THEME_COLUMNS: TableColumn[] = [
  { key: 'theme', header: 'Theme', type: 'text' },
  { key: 'breakdown', header: 'Breakdown', type: 'text' },
  { key: 'group', header: 'Group', type: 'text' },
  { key: 'group_code', header: 'Group code', type: 'text' },
  { key: 'coded_comments', header: 'Coded comments', type: 'integer' },
  { key: 'pct_with_theme', header: '% of coded comments with the theme', type: 'percent' },
  { key: 'lower', header: 'Interval lower', type: 'percent' },
  { key: 'upper', header: 'Interval upper', type: 'percent' },
  { key: 'flag', header: 'Flag', type: 'text' },
]

/** One row per theme and group (the overall first), as on the themes page. */
export function themeTableRows(frequency: ThemeFrequency): Array<Record<string, CsvValue>> {
  const out: Array<Record<string, CsvValue>> = []
  for (const t of frequency.themes) {
    const rows = [
      { breakdown: 'All coded comments', group: 'All coded comments', code: '', cell: t.overall },
      ...t.breakdowns.flatMap((b) => b.rows.map((r) => ({ breakdown: b.label, group: r.label, code: r.group, cell: r.cell }))),
    ]
    for (const r of rows)
      out.push({
        theme: t.name,
        breakdown: r.breakdown,
        group: r.group,
        group_code: r.code,
        coded_comments: r.cell.n,
        pct_with_theme: r.cell.p,
        lower: r.cell.lower,
        upper: r.cell.upper,
        flag: themeCellNote(r.cell),
      })
  }
  return out
}
