import { publishProportion } from './publish-proportion'

/** One group of a partition: its valid base and satisfied count. */
export interface PartitionGroup {
  group: string
  n: number
  x: number
}

/** The groups of one breakdown (the waves, or one segment): they add up to the total. */
export interface Partition {
  by: string
  groups: PartitionGroup[]
}

/** What to publish of one partition. */
export interface PartitionDecision {
  /** groups whose figures are not published, and why */
  hidden: Record<string, 'primary' | 'secondary'>
  /** publication step of the partition's proportions and intervals (0.01, 0.05 or 0.1) */
  step: number
  /** true when nothing short of hiding every percentage of the partition protects its small groups */
  withheld: boolean
}

/** Options of {@link protectPartitions}. */
export interface ProtectOptions {
  suppress: number
  lowBase: number
  /** confidence level of the published Wilson intervals */
  level: number
  /**
   * groups hidden from the start whatever their base (by → group names), as primary suppression: a caller whose
   * own rule already hides a group (analysis/theme-frequency.ts hides the comment themes of a customer group the
   * insight report holds back) has it protected against subtraction like any other hidden group
   */
  alsoHide?: Readonly<Record<string, ReadonlyArray<string>>>
}

const STEPS = [0.01, 0.05, 0.1]

type Range = [number, number]

/**
 * The feasible satisfied counts of a published group: every x in 0..n whose published proportion and interval
 * equal those of the true x. Each published number is monotone in x, so the set is one contiguous range, found
 * by binary search.
 */
function feasibleRange(g: PartitionGroup, step: number, level: number): Range {
  const shown = publishProportion(g.x, g.n, level, step)
  const key = (x: number) => {
    const p = publishProportion(x, g.n, level, step)
    return [p.p ?? -1, p.lower ?? -1, p.upper ?? -1]
  }
  const target = [shown.p ?? -1, shown.lower ?? -1, shown.upper ?? -1]
  const less = (a: number[], b: number[]) => a.some((v, i) => v < b[i]!)
  const greater = (a: number[], b: number[]) => a.some((v, i) => v > b[i]!)
  // lowest x whose key is not below the target in any component
  let lo = 0
  let hi = g.x
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (less(key(mid), target)) lo = mid + 1
    else hi = mid
  }
  const from = lo
  lo = g.x
  hi = g.n
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (greater(key(mid), target)) hi = mid - 1
    else lo = mid
  }
  return [from, lo]
}

/**
 * Decides what each breakdown of one rating may publish so that no reader can recover the satisfied count of a
 * suppressed group by subtraction, while a group at or above the low-base threshold is never hidden
 * (docs/decisions/013-disclosure-control.md; docs/methodology.md, "Small groups").
 *
 * Definition. Published numbers are: every base n (exact), and for every group not hidden its proportion and
 * Wilson interval rounded to the partition's step; satisfied counts are never published. The reader is assumed
 * to know every base, so the base of a hidden group follows by subtraction. Each published group then allows a
 * range of satisfied counts; a hidden group allows 0..n. The ranges are narrowed by interval constraint
 * propagation over the identity "groups of every partition add up to the total" until nothing changes. A
 * partition is at risk when the hidden groups together have 1..suppress−1 respondents and the feasible range of
 * their combined satisfied count is a single value, or when any hidden group's own feasible range (the combined
 * range less what the other hidden groups may hold) is a single value: that count would be recovered. A total published as 0% or 100% discloses every group without subtraction; no
 * suppression can prevent that, so such a rating is left as it is. At-risk partitions are protected in
 * this order: (1) primary suppression, base < suppress (or the group is in options.alsoHide); (2) hide the smallest published group whose base is
 * under the low-base threshold (secondary suppression); (3) coarsen the partition's step to 5, then 10
 * percentage points; (4) as a last resort withhold the partition's percentages (never reached while a group of
 * the partition has a base of at least 50 at a 10-point step).
 *
 * Reference: Hundepool et al. (2012) Statistical Disclosure Control, §4.2 (rounding) and §5.2 (cell
 * suppression and interval attacks); ONS (2006) Statistical disclosure control for tables.
 *
 * @param total the total (All respondents) base and satisfied count.
 * @param partitions each breakdown whose groups add up to the total.
 * @param options thresholds and confidence level.
 * @returns one decision per partition, keyed by `by`.
 * @throws if a partition's bases or counts do not add up to the total.
 * @example
 * protectPartitions({ n: 120, x: 80 }, [{ by: 'gender', groups: [
 *   { group: 'F', n: 60, x: 40 }, { group: 'M', n: 57, x: 38 }, { group: 'X', n: 3, x: 2 }] }],
 *   { suppress: 10, lowBase: 50, level: 0.95 }).gender.step // 0.05 or more
 */
export function protectPartitions(
  total: { n: number; x: number },
  partitions: ReadonlyArray<Partition>,
  options: ProtectOptions,
): Record<string, PartitionDecision> {
  const { suppress, lowBase, level } = options
  for (const p of partitions) {
    const n = p.groups.reduce((a, g) => a + g.n, 0)
    const x = p.groups.reduce((a, g) => a + g.x, 0)
    if (n !== total.n || x !== total.x)
      throw new Error(`protectPartitions: the groups of ${p.by} do not add up to the total`)
  }
  const decisions: Record<string, PartitionDecision> = {}
  for (const p of partitions) {
    const hidden: PartitionDecision['hidden'] = {}
    const alsoHide = options.alsoHide?.[p.by] ?? []
    for (const g of p.groups) if (g.n < suppress || alsoHide.includes(g.group)) hidden[g.group] = 'primary'
    decisions[p.by] = { hidden, step: STEPS[0]!, withheld: false }
  }
  // the total is itself hidden when its base is under the threshold (analysis/publish-table.ts)
  const totalRange: Range =
    total.n < suppress ? [0, total.n] : feasibleRange({ group: '', n: total.n, x: total.x }, STEPS[0]!, level)
  // Each round protects every at-risk partition by one step; a partition only ever gets more protection, so
  // the loop ends (at most groups + steps rounds per partition).
  for (let round = 0; round < 1000; round++) {
    const atRisk = partitionsAtRisk(totalRange, total.n, partitions, decisions, options)
    if (atRisk.length === 0) return decisions
    for (const by of atRisk) {
      const d = decisions[by]!
      const p = partitions.find((q) => q.by === by)!
      const candidates = p.groups
        .filter((g) => !(g.group in d.hidden) && g.n > 0 && g.n < lowBase)
        .sort((a, b) => a.n - b.n || (a.group < b.group ? -1 : 1))
      const next = STEPS[STEPS.indexOf(d.step) + 1]
      if (candidates.length > 0) d.hidden[candidates[0]!.group] = 'secondary'
      else if (next !== undefined) d.step = next
      else d.withheld = true
    }
  }
  throw new Error('protectPartitions: no protection found')
}

function partitionsAtRisk(
  totalRange: Range,
  totalN: number,
  partitions: ReadonlyArray<Partition>,
  decisions: Record<string, PartitionDecision>,
  options: ProtectOptions,
): string[] {
  const ranges = new Map<string, Range[]>()
  for (const p of partitions) {
    const d = decisions[p.by]!
    ranges.set(
      p.by,
      p.groups.map(
        (g): Range =>
          d.withheld || g.group in d.hidden ? [0, g.n] : feasibleRange(g, d.step, options.level),
      ),
    )
  }
  const all: Range = [...totalRange]
  for (let changed = true, guard = 0; changed && guard < 100; guard++) {
    changed = false
    for (const p of partitions) {
      const rs = ranges.get(p.by)!
      const sumLo = rs.reduce((a, r) => a + r[0], 0)
      const sumHi = rs.reduce((a, r) => a + r[1], 0)
      if (sumLo > all[0]) {
        all[0] = sumLo
        changed = true
      }
      if (sumHi < all[1]) {
        all[1] = sumHi
        changed = true
      }
      rs.forEach((r, i) => {
        const lo = Math.max(r[0], all[0] - (sumHi - r[1]))
        const hi = Math.min(r[1], all[1] - (sumLo - r[0]))
        if (lo !== r[0] || hi !== r[1]) {
          rs[i] = [lo, hi]
          changed = true
        }
      })
    }
  }
  // A total published as 0% or 100% tells every group's count without any subtraction: nothing to protect.
  if (all[0] === all[1] && (all[0] === 0 || all[0] === totalN)) return []
  const out: string[] = []
  for (const p of partitions) {
    const d = decisions[p.by]!
    if (d.withheld) continue
    const rs = ranges.get(p.by)!
    const hiddenIdx: number[] = []
    let otherLo = 0
    let otherHi = 0
    p.groups.forEach((g, i) => {
      if (g.group in d.hidden) hiddenIdx.push(i)
      else {
        otherLo += rs[i]![0]
        otherHi += rs[i]![1]
      }
    })
    const nHidden = hiddenIdx.reduce((a, i) => a + p.groups[i]!.n, 0)
    if (nHidden === 0) continue
    // what a reader can learn of the hidden groups together, then of each one on its own
    const hiddenLo = hiddenIdx.reduce((a, i) => a + rs[i]![0], 0)
    const hiddenHi = hiddenIdx.reduce((a, i) => a + rs[i]![1], 0)
    const from = Math.max(hiddenLo, all[0] - otherHi)
    const to = Math.min(hiddenHi, all[1] - otherLo)
    let risky = nHidden < options.suppress && to - from < 1
    for (const i of hiddenIdx) {
      const n = p.groups[i]!.n
      if (n === 0) continue
      const lo = Math.max(rs[i]![0], from - (hiddenHi - rs[i]![1]))
      const hi = Math.min(rs[i]![1], to - (hiddenLo - rs[i]![0]))
      if (hi - lo < 1) risky = true
    }
    if (risky) out.push(p.by)
  }
  return out
}
