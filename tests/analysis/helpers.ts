import { expect } from 'vitest'

/** Asserts |actual - expected| <= abs or <= rel * |expected|. */
export function expectClose(actual: number | null | undefined, expected: number, rel = 1e-12, abs = 0): void {
  expect(typeof actual).toBe('number')
  const a = actual as number
  const ok = Math.abs(a - expected) <= abs || Math.abs(a - expected) <= rel * Math.abs(expected)
  if (!ok) expect.fail(`expected ${a} to be within rel ${rel} / abs ${abs} of ${expected}`)
}
