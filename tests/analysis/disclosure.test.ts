import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { protectPartitions, type Partition, type PartitionDecision } from '#analysis/protect-partitions.ts'
import { publishProportion, roundToStep } from '#analysis/publish-proportion.ts'

/*
 * The disclosure rule of docs/decisions/013-disclosure-control.md, attacked by an independent reader: for
 * every published group, the exact SET of satisfied counts that would publish the same figures (by trying
 * every x from 0 to n, not the engine's binary search); then every subtraction "total minus the published
 * groups" for each breakdown, with the total narrowed by every other breakdown's possible sums (subset-sum
 * sets, not intervals). A hidden group is recovered when exactly one value remains.
 */

const LEVEL = 0.95
const THRESHOLDS = { suppress: 10, lowBase: 50 }

function candidates(n: number, x: number, step: number): Set<number> {
  const shown = JSON.stringify(publishProportion(x, n, LEVEL, step))
  const out = new Set<number>()
  for (let k = 0; k <= n; k++) if (JSON.stringify(publishProportion(k, n, LEVEL, step)) === shown) out.add(k)
  return out
}

function sumSets(sets: Array<Set<number>>): Set<number> {
  let acc = new Set<number>([0])
  for (const s of sets) {
    const next = new Set<number>()
    for (const a of acc) for (const b of s) next.add(a + b)
    acc = next
  }
  return acc
}

const range = (n: number) => new Set(Array.from({ length: n + 1 }, (_, i) => i))

/** What a reader can learn of each breakdown's hidden groups together; null when nothing is hidden. */
function attack(
  total: { n: number; x: number },
  partitions: Partition[],
  decisions: Record<string, PartitionDecision>,
): Record<
  string,
  { nHidden: number; possible: number[]; perGroup: Record<string, { n: number; possible: number[] }> } | null
> {
  const groupSets = (p: Partition) => {
    const d = decisions[p.by]!
    return p.groups.map((g) =>
      d.withheld || g.group in d.hidden ? range(g.n) : candidates(g.n, g.x, d.step),
    )
  }
  let totals = total.n < THRESHOLDS.suppress ? range(total.n) : candidates(total.n, total.x, 0.01)
  for (const p of partitions) {
    const sums = sumSets(groupSets(p))
    totals = new Set([...totals].filter((t) => sums.has(t)))
  }
  const out: Record<
    string,
    {
      nHidden: number
      possible: number[]
      perGroup: Record<string, { n: number; possible: number[] }>
    } | null
  > = {}
  for (const p of partitions) {
    const d = decisions[p.by]!
    const sets = groupSets(p)
    const hidden = p.groups.map((g) => d.withheld || g.group in d.hidden)
    const nHidden = p.groups.filter((_, i) => hidden[i]).reduce((a, g) => a + g.n, 0)
    if (nHidden === 0) {
      out[p.by] = null
      continue
    }
    const others = sumSets(sets.filter((_, i) => !hidden[i]))
    const possible = new Set<number>()
    for (const t of totals) for (const s of others) if (t - s >= 0 && t - s <= nHidden) possible.add(t - s)
    // each hidden group on its own: the combined count minus what the other hidden groups may hold
    const perGroup: Record<string, { n: number; possible: number[] }> = {}
    p.groups.forEach((g, i) => {
      if (!hidden[i]) return
      const rest = sumSets(p.groups.filter((h, k) => hidden[k] && k !== i).map((h) => range(h.n)))
      const own = new Set<number>()
      for (const c of possible) for (const r of rest) if (c - r >= 0 && c - r <= g.n) own.add(c - r)
      perGroup[g.group] = { n: g.n, possible: [...own].sort((a, b) => a - b) }
    })
    out[p.by] = { nHidden, possible: [...possible].sort((a, b) => a - b), perGroup }
  }
  return out
}

function partition(by: string, groups: Array<[string, number, number]>): Partition {
  return { by, groups: groups.map(([group, n, x]) => ({ group, n, x })) }
}

describe('roundToStep and publishProportion', () => {
  it('round to whole, 5 and 10 points, halves up, without floating noise', () => {
    expect(roundToStep(0.5649, 0.01)).toBe(0.56)
    expect(roundToStep(0.565, 0.01)).toBe(0.57)
    expect(roundToStep(0.5649, 0.05)).toBe(0.55)
    expect(roundToStep(0.575, 0.05)).toBe(0.6)
    expect(roundToStep(0.0449, 0.1)).toBe(0)
    expect(roundToStep(null, 0.01)).toBeNull()
  })
  it('publishes nothing for an empty base', () => {
    expect(publishProportion(0, 0, LEVEL, 0.01)).toEqual({ p: null, lower: null, upper: null })
  })
})

describe('protectPartitions', () => {
  it('one not-stated respondent hides nobody else in a large survey (issue 11: Male n = 825 stayed visible)', () => {
    const gender = partition('gender', [
      ['female', 1175, 700],
      ['male', 825, 470],
      ['', 1, 1],
    ])
    const total = { n: 2001, x: 1171 }
    const d = protectPartitions(total, [gender], { ...THRESHOLDS, level: LEVEL })
    expect(d.gender).toEqual({ hidden: { '': 'primary' }, step: 0.01, withheld: false })
    const learned = attack(total, [gender], d).gender!
    expect(learned.possible.length).toBeGreaterThan(1)
  })

  it('hides the next-smallest group under the low-base threshold when a subtraction would recover a small one', () => {
    // Small bases publish exactly at whole percent: total − A − B would give X.
    const p = partition('service', [
      ['A', 30, 20],
      ['B', 40, 31],
      ['X', 4, 3],
    ])
    const total = { n: 74, x: 54 }
    const before = attack(total, [p], {
      service: { hidden: { X: 'primary' }, step: 0.01, withheld: false },
    }).service!
    expect(before.possible).toEqual([3]) // the old world: recovered
    const d = protectPartitions(total, [p], { ...THRESHOLDS, level: LEVEL })
    expect(d.service!.hidden).toEqual({ X: 'primary', A: 'secondary' })
    const after = attack(total, [p], d).service!
    // the two hidden groups together (34 people, a reportable size) are known; neither is on its own
    expect(after.perGroup.X!.possible).toEqual([0, 1, 2, 3, 4])
    expect(after.perGroup.A!.possible.length).toBe(5)
  })

  it('never hides a group at or above the low-base threshold: it coarsens the step instead', () => {
    const p = partition('gender', [
      ['female', 80, 52],
      ['male', 65, 40],
      ['x', 5, 4],
    ])
    const total = { n: 150, x: 96 }
    const d = protectPartitions(total, [p], { ...THRESHOLDS, level: LEVEL })
    expect(Object.keys(d.gender!.hidden)).toEqual(['x'])
    expect(d.gender!.step).toBeGreaterThan(0.01)
    expect(attack(total, [p], d).gender!.possible.length).toBeGreaterThan(2)
  })

  it('uses every breakdown against the total: a fully published breakdown that pins the total is accounted for', () => {
    const waves = partition('wave', [
      ['2025', 30, 18],
      ['2026', 31, 20],
    ])
    const gender = partition('gender', [
      ['f', 55, 34],
      ['m', 3, 2],
      ['', 3, 2],
    ])
    const total = { n: 61, x: 38 }
    const d = protectPartitions(total, [waves, gender], { ...THRESHOLDS, level: LEVEL })
    for (const [by, learned] of Object.entries(attack(total, [waves, gender], d))) {
      if (learned && learned.nHidden < THRESHOLDS.suppress)
        expect(learned.possible.length, by).toBeGreaterThan(1)
    }
  })

  it('property: after the decisions no subtraction recovers a hidden small group, and no group of 50+ is hidden', () => {
    const group = fc.record({
      n: fc.integer({ min: 0, max: 140 }),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    fc.assert(
      fc.property(
        fc.array(group, { minLength: 2, maxLength: 5 }),
        fc.array(group, { minLength: 2, maxLength: 4 }),
        (a, b) => {
          const mk = (by: string, gs: Array<{ n: number; share: number }>) =>
            partition(
              by,
              gs.map((g, i) => [`${by}${i}`, g.n, Math.round(g.n * g.share)]),
            )
          const first = mk('a', a)
          const total = {
            n: first.groups.reduce((s, g) => s + g.n, 0),
            x: first.groups.reduce((s, g) => s + g.x, 0),
          }
          // a total of 0% or 100% tells everyone's answer without subtraction (see protectPartitions)
          if (total.n === 0 || total.x === 0 || total.x === total.n) return
          // a second breakdown of the same respondents: split the total into b's proportions
          const weights = b.map((g) => g.n + 1)
          const sumW = weights.reduce((s, w) => s + w, 0)
          let restN = total.n
          let restX = total.x
          const second = partition(
            'b',
            weights.map((w, i): [string, number, number] => {
              if (i === weights.length - 1) return [`b${i}`, restN, restX]
              const n = Math.min(restN, Math.floor((total.n * w) / sumW))
              // keep x feasible for this group and for the respondents still to place
              const lo = Math.max(0, restX - (restN - n))
              const hi = Math.min(n, restX)
              const x = Math.min(hi, Math.max(lo, Math.round(n * b[i]!.share)))
              restN -= n
              restX -= x
              return [`b${i}`, n, x]
            }),
          )
          if (second.groups.some((g) => g.x < 0 || g.x > g.n)) return
          const partitions = [first, second]
          const d = protectPartitions(total, partitions, { ...THRESHOLDS, level: LEVEL })
          for (const p of partitions) {
            for (const g of p.groups) {
              if (g.n >= THRESHOLDS.lowBase && !d[p.by]!.withheld)
                expect(g.group in d[p.by]!.hidden).toBe(false)
            }
          }
          for (const learned of Object.values(attack(total, partitions, d))) {
            if (!learned) continue
            // recovered = exactly one possible count
            if (learned.nHidden < THRESHOLDS.suppress) expect(learned.possible.length).toBeGreaterThan(1)
            for (const g of Object.values(learned.perGroup))
              if (g.n > 0) expect(g.possible.length).toBeGreaterThan(1)
          }
        },
      ),
      { numRuns: 300, seed: 20261203 },
    )
  })
})
