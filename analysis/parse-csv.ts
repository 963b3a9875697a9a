/**
 * Strict RFC 4180 CSV parser.
 *
 * Accepts: comma-separated fields; records ending in CRLF (or a bare LF); an optional final line break;
 * fields enclosed in double quotes containing commas, CR, LF and doubled quotes (""); UTF-8 text with an
 * optional byte-order mark (removed). Rejects, with the 1-based line number: a quote inside an unquoted
 * field, text after a closing quote, an unterminated quoted field, a bare CR outside quotes, records whose
 * field count differs from the first record, and empty input.
 *
 * Reference: RFC 4180 (Common Format and MIME Type for CSV Files), §2.
 *
 * @param text the whole file as a string.
 * @returns records as arrays of fields (the first record is the header when there is one).
 * @throws Error "parseCsv: line N: ..." on malformed input.
 * @example
 * parseCsv('a,b\r\n1,"x, ""y"""\r\n') // [['a', 'b'], ['1', 'x, "y"']]
 */
export function parseCsv(text: string): string[][] {
  let s = text
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1)
  if (s.length === 0) throw new Error('parseCsv: the file is empty')
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let line = 1
  let recordLine = 1
  let i = 0
  const n = s.length
  const endRecord = (): void => {
    record.push(field)
    field = ''
    const expected = records[0]?.length
    if (expected !== undefined && record.length !== expected) {
      throw new Error(`parseCsv: line ${recordLine}: expected ${expected} fields, found ${record.length}`)
    }
    records.push(record)
    record = []
  }
  while (i < n) {
    const ch = s[i]!
    if (ch === '"') {
      if (field.length > 0) throw new Error(`parseCsv: line ${line}: quote inside an unquoted field`)
      const openLine = line
      i++
      for (;;) {
        if (i >= n) throw new Error(`parseCsv: line ${openLine}: unterminated quoted field`)
        const c = s[i]!
        if (c === '"') {
          if (s[i + 1] === '"') {
            field += '"'
            i += 2
            continue
          }
          i++
          break
        }
        if (c === '\n') line++
        else if (c === '\r' && s[i + 1] !== '\n') line++
        field += c
        i++
      }
      const next = s[i]
      if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
        throw new Error(`parseCsv: line ${line}: unexpected text after a closing quote`)
      }
      // a quoted empty field must still count as a field: mark with a sentinel by pushing directly
      if (next === ',') {
        record.push(field)
        field = ''
        i++
        if (i >= n) {
          endRecord()
        }
        continue
      }
      if (next === undefined) {
        endRecord()
        break
      }
      continue
    }
    if (ch === ',') {
      record.push(field)
      field = ''
      i++
      if (i >= n) endRecord()
      continue
    }
    if (ch === '\r') {
      if (s[i + 1] !== '\n') throw new Error(`parseCsv: line ${line}: bare CR outside quotes`)
      endRecord()
      i += 2
      line++
      recordLine = line
      continue
    }
    if (ch === '\n') {
      endRecord()
      i++
      line++
      recordLine = line
      continue
    }
    field += ch
    i++
    if (i >= n) endRecord()
  }
  if (records.length === 0) throw new Error('parseCsv: the file is empty')
  return records
}
