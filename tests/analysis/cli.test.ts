import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../cli/analyse.ts'
import { parseCsv } from '../../analysis/parse-csv'

const fixture = resolve(__dirname, '../fixtures/oracle-public')
const configPath = join(fixture, 'analysis.json')
const populationPath = join(fixture, 'population.json')
const header =
  'respondent_id,wave,channel,service,age_band,gender,disability,overall,delivery,timeliness,information,access,professionalism,staff_attitude,comment'

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = ''
  let stderr = ''
  const code = main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) })
  return { code, stdout, stderr }
}

function tempCsv(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'analyse-cli-'))
  const path = join(dir, 'responses.csv')
  writeFileSync(path, text)
  return path
}

describe('parseCsv (RFC 4180)', () => {
  it('handles quotes, commas, doubled quotes, CR/LF inside quotes, CRLF records, BOM, UTF-8', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, ""y""","line1\nline2\r\nline3"\r\n2,café Łódź 🙂,"  padded  "\r\n'
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, "y"', 'line1\nline2\r\nline3'],
      ['2', 'café Łódź 🙂', '  padded  '],
    ])
  })
  it('accepts bare LF records, no final newline, empty fields and trailing empty field', () => {
    expect(parseCsv('a,b\n1,\n,2')).toEqual([
      ['a', 'b'],
      ['1', ''],
      ['', '2'],
    ])
    expect(parseCsv('a,b\r\n"",x')).toEqual([
      ['a', 'b'],
      ['', 'x'],
    ])
  })
  it('rejects malformed input with the line number', () => {
    expect(() => parseCsv('')).toThrow('parseCsv: the file is empty')
    expect(() => parseCsv('\uFEFF')).toThrow('parseCsv: the file is empty')
    expect(() => parseCsv('a,b\r\n1,"open\r\n2,3\r\n')).toThrow('parseCsv: line 2: unterminated quoted field')
    expect(() => parseCsv('a,b\r\n1,x"y\r\n')).toThrow('parseCsv: line 2: quote inside an unquoted field')
    expect(() => parseCsv('a,b\r\n1,"x"y\r\n')).toThrow(
      'parseCsv: line 2: unexpected text after a closing quote',
    )
    expect(() => parseCsv('a,b\r\n1,2\r\n3\r\n')).toThrow('parseCsv: line 3: expected 2 fields, found 1')
    expect(() => parseCsv('a,b\r1,2')).toThrow('parseCsv: line 1: bare CR outside quotes')
    expect(() => parseCsv('a,b\r\n"multi\nline",2\r\n1,2,3\r\n')).toThrow(
      'parseCsv: line 4: expected 2 fields, found 3',
    )
  })
  it('parses the fixture (1800 records plus header, embedded newlines)', () => {
    const records = parseCsv(readFileSync(join(fixture, 'responses.csv'), 'utf8'))
    expect(records.length).toBe(1801)
    expect(records[0]!.at(-1)).toBe('comment')
    expect(records.some((r) => r.at(-1)!.includes('\n'))).toBe(true)
  })
})

describe('analyse command: bad input exits 2 with a clear message', () => {
  const good = (csv: string, extra: string[] = []): string[] => [
    '--csv',
    csv,
    '--config',
    configPath,
    ...extra,
  ]

  it('runs without population (unweighted only)', () => {
    const r = run(good(join(fixture, 'responses.csv')))
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as {
      weighted: unknown
      unweighted: { overall: { all: { all: { n_valid: number; fpc?: unknown } } } }
    }
    expect(out.weighted).toBeNull()
    expect(out.unweighted.overall.all.all.n_valid).toBe(1766)
    expect(out.unweighted.overall.all.all.fpc).toBeUndefined()
    expect(r.stdout).toContain('"weighted_vs_rest": null')
    expect(r.stdout).toContain('"weighted_trend": null')
  })
  it('with a population prints the design-based group-vs-rest and trend tests', () => {
    const r = run(good(join(fixture, 'responses.csv'), ['--population', populationPath]))
    expect(r.code).toBe(0)
    const oracle = JSON.parse(readFileSync(join(fixture, 'results.json'), 'utf8')) as {
      weighted_vs_rest: Record<string, Record<string, { p_value: number }>>
      weighted_trend: Record<string, { difference: number }>
    }
    const out = JSON.parse(r.stdout) as typeof oracle
    expect(Object.keys(out.weighted_vs_rest)).toEqual(Object.keys(oracle.weighted_vs_rest))
    expect(Object.keys(out.weighted_trend)).toEqual(Object.keys(oracle.weighted_trend))
    const letter = out.weighted_vs_rest.channel!.letter!.p_value
    expect(Math.abs(letter - oracle.weighted_vs_rest.channel!.letter!.p_value)).toBeLessThan(1e-12)
    const change = out.weighted_trend.timeliness!.difference
    expect(Math.abs(change - oracle.weighted_trend.timeliness!.difference)).toBeLessThan(1e-12)
  })
  it('unknown flag', () => {
    const r = run([...good(join(fixture, 'responses.csv')), '--bogus'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^analyse: unknown flag "--bogus"/)
  })
  it('missing required flag and missing file', () => {
    expect(run(['--config', configPath]).stderr).toMatch(/--csv is required/)
    const r = run(good('/nonexistent/responses.csv'))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/cannot read CSV file "\/nonexistent\/responses.csv": ENOENT/)
  })
  it('empty file', () => {
    const r = run(good(tempCsv('')))
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('analyse: parseCsv: the file is empty\n')
  })
  it('header only', () => {
    const r = run(good(tempCsv(header + '\r\n')))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/header but no responses/)
  })
  it('malformed CSV names the line', () => {
    const r = run(
      good(tempCsv(`${header}\r\nP1,2026,phone,Parking,16-34,man,no,5,5,5,5,5,5,5,"unterminated\r\n`)),
    )
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/parseCsv: line 2: unterminated quoted field/)
  })
  it('missing column', () => {
    const r = run(good(tempCsv('respondent_id,wave\r\nP1,2026\r\n')))
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('analyse: readResponsesCsv: missing column "overall"\n')
  })
  it('rating outside the scale names the respondent and the rating', () => {
    const r = run(good(tempCsv(`${header}\r\nP1,2026,phone,Parking,16-34,man,no,7,5,5,5,5,5,5,\r\n`)))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/respondent P1: rating "overall" = "7" is outside the scale/)
    const text = run(good(tempCsv(`${header}\r\nP1,2026,phone,Parking,16-34,man,no,good,5,5,5,5,5,5,\r\n`)))
    expect(text.stderr).toMatch(/"good" is outside the scale/)
  })
  it('population level absent from the sample (margin cannot be met)', () => {
    const rows = ['16-34', '35-54', '55-74'].flatMap((age, i) =>
      ['woman', 'man', 'other_or_prefer_not'].map(
        (g, j) => `P${i}${j},2026,phone,Parking,${age},${g},no,5,4,3,2,1,5,4,`,
      ),
    )
    const r = run(good(tempCsv([header, ...rows].join('\r\n') + '\r\n'), ['--population', populationPath]))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/population level "75\+" of age_band has no respondents/)
  })
  it('sample level absent from the population', () => {
    const r = run(
      good(tempCsv(`${header}\r\nP1,2026,phone,Parking,16-34,nonbinary,no,5,5,5,5,5,5,5,\r\n`), [
        '--population',
        populationPath,
      ]),
    )
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/sample level "nonbinary" of gender is absent from the population/)
  })
  it('invalid config and invalid population JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'analyse-cfg-'))
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ id: 'respondent_id' }))
    const r = run(['--csv', join(fixture, 'responses.csv'), '--config', bad])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/invalid configuration: wave/)
    writeFileSync(bad, '{not json')
    const p = run([...good(join(fixture, 'responses.csv')), '--population', bad])
    expect(p.code).toBe(2)
    expect(p.stderr).toMatch(/population file ".*" is not valid JSON/)
  })
})
