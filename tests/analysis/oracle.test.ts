import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'

// Runs the real command on the R oracle fixture (R 4.2.2 + survey 4.1.1) and compares every number.
const root = resolve(__dirname, '../..')
const fixture = join(root, 'tests/fixtures/oracle-public')
const oracle = JSON.parse(readFileSync(join(fixture, 'results.json'), 'utf8')) as Record<string, unknown>
const SECTIONS = [
  'unweighted',
  'weighting',
  'weighted',
  'group_tests',
  'weighted_vs_rest',
  'trend',
  'weighted_trend',
  'key_drivers',
  'sample_size',
]

/** Descriptive text in the oracle (R call / method prose), not data: listed here, not compared. */
const TEXT_NOT_COMPARED = new Set([
  'weighting.call',
  'weighting.convergence_rule',
  'key_drivers.relative_weights.method',
  'key_drivers.lmg.method',
])
/**
 * The one number compared differently: the leftover |weighted margin - population| after convergence is
 * floating-point residue (R 1.76e-9), so both must only be below 1e-6 (far under epsilon_absolute = 1.8e-7 × n).
 */
const RESIDUE = new Set(['weighting.max_abs_margin_error'])

/**
 * Raked weights, raked SEs and Rao-Scott: 1e-6 relative; closed-form quantities and the design-based contrasts
 * (weighted_vs_rest, weighted_trend: they agree with R to about 5e-12): 1e-9 relative.
 */
function tolerance(path: string): number {
  if (path.startsWith('weighting.') || path.startsWith('weighted.') || /\.rao_scott_(F|chisq)\./.test(path))
    return 1e-6
  return 1e-9
}

interface Mismatch {
  path: string
  expected: unknown
  actual: unknown
}

export function compareWithOracle(
  expected: unknown,
  actual: unknown,
  path: string,
  out: Mismatch[],
  counter: { numbers: number },
): void {
  if (TEXT_NOT_COMPARED.has(path)) return
  if (expected === null || typeof expected === 'string' || typeof expected === 'boolean') {
    if (expected !== actual) out.push({ path, expected, actual })
    return
  }
  if (typeof expected === 'number') {
    counter.numbers++
    if (typeof actual !== 'number') {
      out.push({ path, expected, actual })
      return
    }
    const diff = Math.abs(actual - expected)
    if (RESIDUE.has(path)) {
      if (!(Math.abs(actual) < 1e-6 && Math.abs(expected) < 1e-6)) out.push({ path, expected, actual })
      return
    }
    if (!(diff <= 1e-12 || diff <= tolerance(path) * Math.abs(expected))) out.push({ path, expected, actual })
    return
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      out.push({ path, expected: `array(${expected.length})`, actual })
      return
    }
    expected.forEach((e, i) => compareWithOracle(e, actual[i], `${path}[${i}]`, out, counter))
    return
  }
  if (typeof expected === 'object') {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) {
      out.push({ path, expected: 'object', actual })
      return
    }
    for (const [k, v] of Object.entries(expected as Record<string, unknown>)) {
      if (TEXT_NOT_COMPARED.has(`${path}.${k}`)) continue
      if (!(k in actual)) {
        out.push({ path: `${path}.${k}`, expected: v, actual: 'MISSING' })
        continue
      }
      compareWithOracle(v, (actual as Record<string, unknown>)[k], `${path}.${k}`, out, counter)
    }
  }
}

describe('analyse command vs R oracle (public case)', () => {
  let results: Record<string, unknown>
  let weightsCsv: string
  let stderr: string
  let status: number | null
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'analyse-'))
    const weightsOut = join(dir, 'weights.csv')
    const run = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/tsx/dist/cli.mjs'),
        join(root, 'cli/analyse.ts'),
        '--csv',
        join(fixture, 'responses.csv'),
        '--config',
        join(fixture, 'analysis.json'),
        '--population',
        join(fixture, 'population.json'),
        '--weights-out',
        weightsOut,
      ],
      { encoding: 'utf8', cwd: root, maxBuffer: 64 * 1024 * 1024 },
    )
    status = run.status
    stderr = run.stderr
    results = JSON.parse(run.stdout) as Record<string, unknown>
    weightsCsv = readFileSync(weightsOut, 'utf8')
  }, 60_000)

  it('exits 0 with nothing on stderr', () => {
    expect(stderr).toBe('')
    expect(status).toBe(0)
  })

  for (const section of SECTIONS) {
    it(`reproduces every number of ${section}`, () => {
      const mismatches: Mismatch[] = []
      const counter = { numbers: 0 }
      compareWithOracle(oracle[section], results[section], section, mismatches, counter)
      expect(counter.numbers).toBeGreaterThan(0)
      expect(mismatches).toEqual([])
    })
  }

  it('compares thousands of numbers in total', () => {
    const counter = { numbers: 0 }
    for (const section of SECTIONS) compareWithOracle(oracle[section], results[section], section, [], counter)
    expect(counter.numbers).toBeGreaterThan(3980) // 286 of them in weighted_vs_rest and weighted_trend
  })

  it('writes the raked weight of every respondent within 1e-6 of R (weights.csv)', () => {
    const parse = (text: string): Map<string, number> =>
      new Map(
        text
          .trim()
          .split(/\r?\n/)
          .slice(1)
          .map((line) => {
            const [id, w] = line.split(',')
            return [id!, Number(w)]
          }),
      )
    const expected = parse(readFileSync(join(fixture, 'weights.csv'), 'utf8'))
    const actual = parse(weightsCsv)
    expect(actual.size).toBe(1800)
    expect(expected.size).toBe(1800)
    let worst = 0
    for (const [id, w] of expected) {
      const a = actual.get(id)
      expect(a, id).toBeTypeOf('number')
      worst = Math.max(worst, Math.abs((a as number) - w) / w)
    }
    expect(worst).toBeLessThan(1e-6)
  })

  it('the comparison can fail: a perturbed copy is caught', () => {
    const perturbed = JSON.parse(JSON.stringify(results)) as {
      weighted: { overall: { all: { all: { se_raked: number } } } }
      key_drivers: { ols: { r_squared: number } }
      weighted_vs_rest: { channel: { letter: { se_difference: number } } }
      weighted_trend: { timeliness: { ci95: { upper: number } } }
    }
    perturbed.weighted.overall.all.all.se_raked *= 1 + 2e-6
    perturbed.key_drivers.ols.r_squared *= 1 + 2e-9
    perturbed.weighted_vs_rest.channel.letter.se_difference *= 1 + 2e-9
    perturbed.weighted_trend.timeliness.ci95.upper *= 1 + 2e-9
    const mismatches: Mismatch[] = []
    compareWithOracle(oracle.weighted, perturbed.weighted, 'weighted', mismatches, { numbers: 0 })
    compareWithOracle(oracle.key_drivers, perturbed.key_drivers, 'key_drivers', mismatches, { numbers: 0 })
    for (const section of ['weighted_vs_rest', 'weighted_trend'] as const)
      compareWithOracle(oracle[section], perturbed[section], section, mismatches, { numbers: 0 })
    expect(mismatches.map((m) => m.path)).toEqual([
      'weighted.overall.all.all.se_raked',
      'key_drivers.ols.r_squared',
      'weighted_vs_rest.channel.letter.se_difference',
      'weighted_trend.timeliness.ci95.upper',
    ])
  })

  it("carries the report's published decision for every group", () => {
    const p = results.published as Record<string, Record<string, Record<string, { status: string; step: number }>>>
    expect(p.overall!.gender!.other_or_prefer_not!.status).toBe('ok') // n_valid 60 >= 50
    expect(p.overall!.channel!.phone!.status).toBe('ok')
    expect(p.overall!.all!.all!.step).toBe(0.01)
  })
})
