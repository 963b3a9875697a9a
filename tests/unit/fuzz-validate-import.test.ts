import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { composeSurvey } from '#templates/index.ts'
import { templateMetadataSchema } from '#templates/metadata.ts'
import { describeSurvey } from '#app/services/survey-definition.server.ts'
import { validateAnswers } from '#app/services/validate-answers.server.ts'
import { decodeImportFile, parseImportFile, prepareRows } from '#app/services/importer.server.ts'

/** Property tests of the one validator and of the CSV importer that feeds it. */

const { definition, metadata: rawMetadata } = composeSurvey(['core-satisfaction', 'equality-monitoring'])
const metadata = templateMetadataSchema.parse(rawMetadata)
const descriptor = describeSurvey(definition)
const questions = [...descriptor.questions.values()]
const RATINGS = ['overall', 'delivery', 'timeliness', 'information', 'access', 'professionalism', 'staff_attitude']

const anyJson = fc.jsonValue({ maxDepth: 3 })
const questionName = fc.constantFrom(...questions.map((q) => q.name))
const weirdString = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom('\u0000', '\uD800', 'a\uDFFFb', '=SUM(A1)', 'x'.repeat(6000), '5 ', ' 5', '5.0', 'null'),
)

/** The validator's promise: whatever comes in, what comes out as ok holds only offered, well-formed answers. */
function assertCleanAnswers(answers: Record<string, unknown>) {
  for (const [name, value] of Object.entries(answers)) {
    const q = descriptor.questions.get(name)
    expect(q, name).toBeDefined()
    if (q!.kind === 'radiogroup' || q!.kind === 'rating' || q!.kind === 'dropdown') {
      expect([...q!.allowed, q!.otherValue].includes(value as string | number)).toBe(true)
    } else if (q!.kind === 'checkbox') {
      for (const v of value as unknown[]) expect([...q!.allowed, q!.otherValue, q!.noneValue].includes(v as string)).toBe(true)
    } else if (typeof value === 'string') {
      expect(value.length).toBeLessThanOrEqual(q!.maxLength)
      expect(value.isWellFormed()).toBe(true)
      expect(value.includes('\u0000')).toBe(false)
    }
  }
}

describe('validateAnswers (fuzz)', () => {
  it('never throws, and anything it accepts is clean', () => {
    fc.assert(
      fc.property(fc.oneof(anyJson, fc.dictionary(fc.oneof(questionName, fc.string()), fc.oneof(anyJson, weirdString))), fc.oneof(anyJson, fc.dictionary(fc.constantFrom('channel', 'x'), weirdString)), (answers, segments) => {
        const result = validateAnswers(descriptor, metadata, answers, segments, { enforceRequired: false })
        if (result.ok) {
          assertCleanAnswers(result.answers)
          for (const value of Object.values(result.segments)) expect(typeof value).toBe('string')
        } else {
          expect(result.problems.length).toBeGreaterThan(0)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('refuses objects whose toString is not a function, as answers, list items or segments, without throwing', () => {
    // fast-check found this (seed 874544280): a condition (visibleIf) compared such an object and survey-core
    // threw "Cannot convert object to primitive value". JSON.parse makes such objects from any request body.
    const hostile = JSON.parse('{"toString": "x", "valueOf": "y"}') as unknown
    const cases: Array<[unknown, unknown]> = [
      [{ gender_identity: hostile, religion: [hostile], delivery: [['a']] }, { channel: 'online' }],
      [{ overall: 4, ethnic_group: hostile, reduced_activity: [hostile] }, {}],
      [{ overall: hostile }, {}],
      [{ overall: 4 }, { channel: hostile }],
      [{ __proto__: null, gender_identity: hostile }, { x: '' }],
    ]
    for (const [answers, segments] of cases) {
      const result = validateAnswers(descriptor, metadata, answers, segments, { enforceRequired: false })
      expect(result.ok).toBe(false)
    }
  })

  it('refuses unknown questions, out-of-range ratings, wrong types, huge strings and broken encodings', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RATINGS),
        fc.oneof(
          fc.record({ kind: fc.constant('unknown'), value: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !descriptor.questions.has(s)) }),
          fc.record({ kind: fc.constant('range'), value: fc.oneof(fc.integer().filter((n) => n < 1 || n > 5), fc.double({ noNaN: true }).filter((n) => !Number.isInteger(n))) }),
          fc.record({ kind: fc.constant('type'), value: fc.oneof(fc.boolean(), fc.constant(null), fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1 }), fc.object()) }),
          fc.record({ kind: fc.constant('huge'), value: fc.integer({ min: 5001, max: 20000 }) }),
          fc.record({ kind: fc.constant('encoding'), value: fc.constantFrom('\uD800', 'ok\uDC00', 'nul\u0000') }),
        ),
        (rating, bad) => {
          let answers: Record<string, unknown>
          if (bad.kind === 'unknown') answers = { [bad.value as string]: 5 }
          else if (bad.kind === 'range' || bad.kind === 'type') answers = { [rating]: bad.value }
          else if (bad.kind === 'huge') answers = { improve: 'x'.repeat(bad.value as number) }
          else answers = { improve: bad.value }
          const result = validateAnswers(descriptor, metadata, answers, {}, { enforceRequired: false })
          if (bad.kind === 'type' && bad.value === null) return // null means "not answered"
          expect(result.ok).toBe(false)
        },
      ),
      { numRuns: 300 },
    )
  })
})

const ratingCell = fc.constantFrom('1', '2', '3', '4', '5', 'dont_know', '')
const textCell = fc.string({ maxLength: 80 }).filter((s) => s.isWellFormed() && !s.includes('\u0000') && !s.includes('\r'))

function csvField(f: string): string {
  return /[",\r\n]/.test(f) || f !== f.trim() ? `"${f.replace(/"/g, '""')}"` : f
}

describe('CSV importer (fuzz)', () => {
  it('valid rows round-trip through CSV into exactly the answers written', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(ratingCell, { minLength: 7, maxLength: 7 }), textCell), { minLength: 1, maxLength: 30 }), (rows) => {
        const header = ['respondent_id', 'wave', ...RATINGS, 'improve']
        const lines = [header.join(',')]
        rows.forEach(([ratings, comment], i) => lines.push([`R${i}`, '2026', ...ratings, comment].map(csvField).join(',')))
        const { file, problems } = parseImportFile(decodeImportFile(Buffer.from(lines.join('\r\n') + '\r\n')).text)
        expect(problems).toEqual([])
        const prepared = prepareRows({ surveyId: 's', defaultWave: '2026', descriptor, metadata, file: file!, columns: { id: 'respondent_id', wave: 'wave' } })
        expect(prepared.problems).toEqual([])
        prepared.rows.forEach((row, i) => {
          const [ratings, comment] = rows[i]!
          RATINGS.forEach((r, j) => {
            const cell = ratings[j]!
            expect(row.answers[r]).toBe(cell === '' ? undefined : cell === 'dont_know' ? 'dont_know' : Number(cell))
          })
          expect(row.answers.improve).toBe(comment === '' ? undefined : comment)
        })
      }),
      { numRuns: 60 },
    )
  })

  it('arbitrary bytes never crash the importer: either rows or problems with a row and column', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.tuple(fc.constantFrom(...RATINGS, 'improve', 'wave', 'junk'), weirdString), { maxLength: 6 }), (bytes, cells) => {
        for (const input of [bytes, Buffer.from(`respondent_id,${cells.map(([c]) => c).join(',')}\r\nA,${cells.map(([, v]) => csvField(v)).join(',')}\r\n`)]) {
          const decoded = decodeImportFile(input)
          const parsed = parseImportFile(decoded.text)
          if (!parsed.file || parsed.problems.length > 0) {
            expect(parsed.problems.length).toBeGreaterThan(0)
            continue
          }
          const prepared = prepareRows({ surveyId: 's', defaultWave: '2026', descriptor, metadata, file: parsed.file, columns: { id: 'respondent_id' }, brokenEncoding: decoded.brokenEncoding })
          for (const p of prepared.problems) {
            expect(Number.isInteger(p.row)).toBe(true)
            expect(typeof p.column).toBe('string')
          }
          if (prepared.problems.length === 0) for (const row of prepared.rows) assertCleanAnswers(row.answers)
        }
      }),
      { numRuns: 500 },
    )
  })
})
