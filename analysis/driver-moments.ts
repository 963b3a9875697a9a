import type { PairTally } from './aggregates'

/** Sample moments of complete cases, from pairwise joint counts. */
export interface DriverMoments {
  n: number
  variables: string[]
  means: number[]
  /** centred sums of squares and cross-products Σ(xᵢ - x̄)(xⱼ - x̄ⱼ) */
  sscp: number[][]
  /** the same on mid-ranks (for Spearman) */
  rankSscp: number[][]
}

/**
 * Means, centred cross-products, and cross-products of mid-ranks of k ratings on complete cases, computed
 * from the joint counts of every pair of ratings (value × value), which SQL GROUP BY produces.
 *
 * Formulas: Σxᵢ, Σxᵢ² from the margins of a pair table, Σxᵢxⱼ from the joint table;
 * S_ij = (n Σxᵢxⱼ - Σxᵢ Σxⱼ) / n (integer numerator, exact). Mid-rank of value v = (#below v) + (#equal v + 1)/2,
 * a function of the value only, so rank cross-products come from the same tables (Spearman = Pearson on ranks).
 *
 * Reference: Kendall & Gibbons (1990) Rank Correlation Methods §3 (mid-ranks); R `cor(method = "spearman")`.
 *
 * @param pairs joint counts of each pair (x = variables[i], y = variables[j], i < j).
 * @param variables the k >= 2 variables.
 * @returns the moments.
 * @throws if a pair is missing, a pair names an unknown variable, or the pair tables disagree on n.
 * @example
 * driverMoments(pairs, ['overall', 'delivery']).sscp
 */
export function driverMoments(
  pairs: ReadonlyArray<PairTally>,
  variables: ReadonlyArray<string>,
): DriverMoments {
  const k = variables.length
  if (k < 2) throw new Error('driverMoments: at least two variables are needed')
  const index = new Map(variables.map((v, i) => [v, i]))
  const joint = Array.from({ length: k }, () =>
    Array.from({ length: k }, () => [] as Array<[number, number, number]>),
  )
  for (const p of pairs) {
    const i = index.get(p.x)
    const j = index.get(p.y)
    if (i === undefined || j === undefined || i === j)
      throw new Error(`driverMoments: unexpected pair ${p.x} x ${p.y}`)
    if (!(p.count >= 0)) throw new Error('driverMoments: counts must be non-negative')
    if (i < j) joint[i]![j]!.push([p.xValue, p.yValue, p.count])
    else joint[j]![i]!.push([p.yValue, p.xValue, p.count])
  }
  // margins of every variable from its first pair
  const margins: Array<Map<number, number>> = []
  let n = -1
  for (let v = 0; v < k; v++) {
    const m = new Map<number, number>()
    const [a, b, side] = v === 0 ? [0, 1, 0] : [0, v, 1]
    for (const t of joint[a]![b]!) m.set(t[side]!, (m.get(t[side]!) ?? 0) + t[2])
    margins.push(m)
  }
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const total = joint[i]![j]!.reduce((acc, t) => acc + t[2], 0)
      if (n < 0) n = total
      else if (total !== n)
        throw new Error(
          `driverMoments: pair ${variables[i]} x ${variables[j]} has ${total} cases, expected ${n}`,
        )
    }
  }
  const ranks = margins.map((m) => {
    const values = [...m.keys()].sort((a, b) => a - b)
    const out = new Map<number, number>()
    let below = 0
    for (const v of values) {
      const c = m.get(v)!
      out.set(v, below + (c + 1) / 2)
      below += c
    }
    return out
  })
  const sums = margins.map((m) => [...m].reduce((acc, [v, c]) => acc + v * c, 0))
  const rankSums = margins.map((m, v) => [...m].reduce((acc, [x, c]) => acc + ranks[v]!.get(x)! * c, 0))
  const sscp = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  const rankSscp = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  const centred = (cross: number, si: number, sj: number): number => (n * cross - si * sj) / n
  for (let v = 0; v < k; v++) {
    let sq = 0
    let rsq = 0
    for (const [x, c] of margins[v]!) {
      sq += x * x * c
      const r = ranks[v]!.get(x)!
      rsq += r * r * c
    }
    sscp[v]![v] = centred(sq, sums[v]!, sums[v]!)
    rankSscp[v]![v] = centred(rsq, rankSums[v]!, rankSums[v]!)
  }
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      let cross = 0
      let rcross = 0
      for (const [x, y, c] of joint[i]![j]!) {
        cross += x * y * c
        rcross += ranks[i]!.get(x)! * ranks[j]!.get(y)! * c
      }
      const s = centred(cross, sums[i]!, sums[j]!)
      const r = centred(rcross, rankSums[i]!, rankSums[j]!)
      sscp[i]![j] = s
      sscp[j]![i] = s
      rankSscp[i]![j] = r
      rankSscp[j]![i] = r
    }
  }
  return { n, variables: [...variables], means: sums.map((s) => s / n), sscp, rankSscp }
}
