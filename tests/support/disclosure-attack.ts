import { publishProportion } from '#analysis/publish-proportion.ts'

/*
 * An attacker who reads only what a published output shows (bases, rounded percentages and intervals) and tries
 * every subtraction: for each breakdown, the total minus the published groups. Independent of the engine's own
 * check (analysis/protect-partitions.ts): it enumerates every satisfied count 0..n that would publish the same
 * figures, and sums sets, not intervals.
 */

export interface PublishedFigure {
  /** null when hidden */
  n: number | null
  p: number | null
  lower: number | null
  upper: number | null
  step: number
}

export interface PublishedBreakdown {
  by: string
  groups: Array<{ group: string; figure: PublishedFigure }>
}

function candidates(f: PublishedFigure, level: number): Set<number> {
  const out = new Set<number>()
  const n = f.n!
  for (let k = 0; k <= n; k++) {
    const q = publishProportion(k, n, level, f.step)
    if (q.p === f.p && q.lower === f.lower && q.upper === f.upper) out.add(k)
  }
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

/**
 * What a reader can learn of the hidden groups of each breakdown (all hidden groups of a breakdown together,
 * whose base follows by subtraction): the satisfied counts consistent with everything published. A breakdown
 * whose hidden groups are pinned to one value is a disclosure.
 */
export function attackPublished(
  total: PublishedFigure,
  breakdowns: PublishedBreakdown[],
  level: number,
): Array<{ by: string; nHidden: number; possible: number[] }> {
  if (total.n === null) return []
  const range = (n: number) => new Set(Array.from({ length: n + 1 }, (_, i) => i))
  const hiddenN = (b: PublishedBreakdown) => total.n! - b.groups.reduce((a, g) => a + (g.figure.n ?? 0), 0)
  let totals = candidates(total, level)
  for (const b of breakdowns) {
    const sums = sumSets([
      ...b.groups.filter((g) => g.figure.n !== null).map((g) => candidates(g.figure, level)),
      range(hiddenN(b)),
    ])
    totals = new Set([...totals].filter((t) => sums.has(t)))
  }
  const out: Array<{ by: string; nHidden: number; possible: number[] }> = []
  for (const b of breakdowns) {
    const nHidden = hiddenN(b)
    if (nHidden === 0) continue
    const others = sumSets(
      b.groups.filter((g) => g.figure.n !== null).map((g) => candidates(g.figure, level)),
    )
    const possible = new Set<number>()
    for (const t of totals) for (const s of others) if (t - s >= 0 && t - s <= nHidden) possible.add(t - s)
    out.push({ by: b.by, nHidden, possible: [...possible].sort((a, b) => a - b) })
  }
  return out
}
