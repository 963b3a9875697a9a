import { describe, expect, it } from 'vitest'
import { smallBaseFlags } from '../../analysis/small-base-flags'

describe('smallBaseFlags', () => {
  it('flags low bases under 50 and suppresses under 10', () => {
    expect(smallBaseFlags([49, 50, 9, 10, 200, 300], { totalShown: false }).map((d) => d.flag)).toEqual([
      'low_base',
      'ok',
      'suppressed',
      'low_base',
      'ok',
      'ok',
    ])
    // with the total shown, the lone suppressed 9 also suppresses the next-smallest (10)
    expect(smallBaseFlags([49, 50, 9, 10, 200, 300]).map((d) => d.flag)).toEqual([
      'low_base',
      'ok',
      'suppressed',
      'suppressed',
      'ok',
      'ok',
    ])
  })
  it('secondary suppression: a lone suppressed group takes the next-smallest with it', () => {
    const d = smallBaseFlags([5, 30, 400, 25])
    expect(d.map((x) => x.flag)).toEqual(['suppressed', 'low_base', 'ok', 'suppressed'])
    expect(d[3]!.suppression).toBe('secondary')
    expect(d[0]!.suppression).toBe('primary')
  })
  it('no secondary suppression when two groups are already suppressed or the total is hidden', () => {
    expect(smallBaseFlags([5, 6, 400]).map((x) => x.flag)).toEqual(['suppressed', 'suppressed', 'ok'])
    expect(smallBaseFlags([5, 30, 400], { totalShown: false }).map((x) => x.flag)).toEqual([
      'suppressed',
      'low_base',
      'ok',
    ])
  })
  it('thresholds are parameters', () => {
    expect(smallBaseFlags([20, 20], { lowBase: 100, suppress: 30 }).map((x) => x.flag)).toEqual([
      'suppressed',
      'suppressed',
    ])
    expect(smallBaseFlags([0]).map((x) => x.flag)).toEqual(['suppressed'])
    expect(() => smallBaseFlags([-1])).toThrow(/smallBaseFlags/)
  })
})
