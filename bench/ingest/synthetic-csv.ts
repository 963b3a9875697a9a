import { parseCsv } from '../../analysis/parse-csv.ts'

/**
 * A responses file of `rows` rows in the oracle format, made by cycling the oracle's own rows with new ids:
 * realistic values, comments with commas, quotes and newlines included.
 */
export function syntheticImportCsv(oracleCsv: Uint8Array, rows: number): Buffer {
  const records = parseCsv(Buffer.from(oracleCsv).toString('utf8'))
  const header = records[0]!
  const data = records.slice(1)
  const idIndex = header.indexOf('respondent_id')
  const field = (f: string) => (/[",\r\n]/.test(f) || f !== f.trim() ? `"${f.replace(/"/g, '""')}"` : f)
  const out: string[] = [header.join(',')]
  for (let i = 0; i < rows; i++) {
    const record = [...data[i % data.length]!]
    record[idIndex] = `S${String(i + 1).padStart(7, '0')}`
    out.push(record.map(field).join(','))
  }
  return Buffer.from(out.join('\r\n') + '\r\n')
}
