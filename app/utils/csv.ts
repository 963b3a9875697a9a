/**
 * RFC 4180 CSV writer with spreadsheet formula-injection neutralisation (PRODUCT.md §5).
 *
 * - Every field is quoted and inner quotes are doubled, so commas, quotes, CR and LF inside a field are safe.
 * - Records end with CRLF; the text is UTF-8. An optional byte-order mark makes Excel read UTF-8 correctly.
 * - A text cell that starts with `=`, `+`, `-`, `@`, tab, CR, LF or NUL gets a leading `'`, so a
 *   spreadsheet shows it as text instead of running it as a formula (OWASP "CSV Injection"). Numbers are
 *   passed as numbers by the caller and are never prefixed, so a negative net score stays a number.
 */

export type CsvValue = string | number | boolean | null | undefined

/** The characters that make a spreadsheet treat a cell as a formula (or hide one after a line break). */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r', '\n', '\0'])

export const UTF8_BOM = '\uFEFF'

/** Prefix `'` to text a spreadsheet would otherwise evaluate as a formula. */
export function neutraliseFormula(text: string): string {
  return text.length > 0 && FORMULA_TRIGGERS.has(text[0]!) ? `'${text}` : text
}

/**
 * Text of one value as written to a cell: numbers in shortest round-trip form (full precision, never
 * rounded), null/undefined as empty, non-finite numbers as empty, text neutralised.
 */
export function cellText(value: CsvValue): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  return neutraliseFormula(value)
}

/** One quoted CSV field. */
export function csvField(value: CsvValue): string {
  return `"${cellText(value).replace(/"/g, '""')}"`
}

/** One CSV record including its CRLF terminator. */
export function csvRecord(values: ReadonlyArray<CsvValue>): string {
  return values.map(csvField).join(',') + '\r\n'
}

export interface CsvOptions {
  /** Start with a UTF-8 byte-order mark so Excel opens the file as UTF-8. */
  bom?: boolean
}

/** A whole CSV document: header then rows. */
export function toCsv(
  header: ReadonlyArray<string>,
  rows: Iterable<ReadonlyArray<CsvValue>>,
  options: CsvOptions = {},
): string {
  let out = (options.bom ? UTF8_BOM : '') + csvRecord(header)
  for (const row of rows) out += csvRecord(row)
  return out
}
