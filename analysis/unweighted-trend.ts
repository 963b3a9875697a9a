import type { SatisfactionTable } from './satisfaction-table'
import { twoProportionTest } from './two-proportion-test'

/** The unweighted trend of one rating in the oracle's `trend` layout. */
export interface UnweightedTrend {
  per_wave: Record<string, { n_valid: number; n_satisfied: number; p_satisfied: number | null }>
  latest_vs_previous: null | {
    latest: string
    previous: string
    p_latest: number | null
    p_previous: number | null
    difference: number | null
    statistic: number | null
    df: number
    p_value: number | null
    ci95: { lower: number | null; upper: number | null }
    warnings: string[]
  }
}

/**
 * Unweighted satisfaction per wave and the latest wave against the previous one, for every rating.
 *
 * Definition: per wave n_valid, n_satisfied and p = n_satisfied / n_valid; latest vs previous by the
 * two-proportion test without continuity correction (analysis/two-proportion-test.ts), difference =
 * p(latest) − p(previous). A wording signature that differs between the two waves adds a warning.
 *
 * Reference: R `prop.test(c(x1, x2), c(n1, n2), correct = FALSE)`; tests/fixtures/oracle-public/README.md
 * (`trend`).
 *
 * @param table an unweighted satisfaction table with the "wave" breakdown.
 * @param waves waves in chronological order.
 * @param wording optional wording signature per rating and wave.
 * @returns the trend per rating.
 * @example
 * unweightedTrend(table, ['2025', '2026']).overall.latest_vs_previous.p_value
 */
export function unweightedTrend(
  table: SatisfactionTable,
  waves: ReadonlyArray<string>,
  wording: Record<string, Record<string, string>> = {},
): Record<string, UnweightedTrend> {
  const latest = waves.at(-1)
  const previous = waves.at(-2)
  const out: Record<string, UnweightedTrend> = {}
  for (const rating of table.ratings) {
    const waveCells = table.cells[rating]?.['wave'] ?? {}
    const perWave: UnweightedTrend['per_wave'] = {}
    for (const wave of waves) {
      const u = waveCells[wave]?.unweighted
      perWave[wave] = {
        n_valid: u?.n_valid ?? 0,
        n_satisfied: u?.n_satisfied ?? 0,
        p_satisfied: u?.p_satisfied ?? null,
      }
    }
    let change: UnweightedTrend['latest_vs_previous'] = null
    if (latest !== undefined && previous !== undefined) {
      const a = perWave[latest]!
      const b = perWave[previous]!
      const t = twoProportionTest(a.n_satisfied, a.n_valid, b.n_satisfied, b.n_valid)
      const before = wording[rating]?.[previous]
      const after = wording[rating]?.[latest]
      const changed = before !== undefined && after !== undefined && before.trim() !== after.trim()
      change = {
        latest,
        previous,
        p_latest: t.p1,
        p_previous: t.p2,
        difference: t.difference,
        statistic: t.statistic,
        df: t.df,
        p_value: t.p_value,
        ci95: t.ci,
        warnings: changed
          ? [...t.warnings, `question wording of ${rating} differs between waves ${previous} and ${latest}`]
          : t.warnings,
      }
    }
    out[rating] = { per_wave: perWave, latest_vs_previous: change }
  }
  return out
}
