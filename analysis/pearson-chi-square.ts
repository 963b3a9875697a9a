import { chiSquareUpperTail } from './chi-square-upper-tail'

/** Result of Pearson's chi-square test of independence. */
export interface PearsonChiSquare {
  statistic: number | null
  df: number
  p_value: number | null
  warnings: string[]
}

/**
 * Pearson's chi-square test of independence on an r × c table of counts (or weighted counts),
 * as R's `chisq.test(table, correct = FALSE)`.
 *
 * Formula: E_ij = (row_i total)(column_j total)/n; X² = Σ (O_ij - E_ij)²/E_ij; df = (r-1)(c-1);
 * p-value = P(χ²_df > X²). Warning "Chi-squared approximation may be incorrect" when any E_ij < 5.
 * A table with an empty row or column gives a null statistic (R: NaN).
 *
 * Reference: K. Pearson (1900); R `stats::chisq.test`; Agresti (2013) §3.2.
 *
 * @param table rows of non-negative counts, all rows the same length (r >= 2, c >= 2).
 * @returns statistic, df, p-value and warnings.
 * @throws if the table is not at least 2 × 2 or has negative / non-finite entries.
 * @example
 * pearsonChiSquare([[477, 154], [526, 180], [200, 46], [115, 68]]).statistic // 19.53024807228083
 */
export function pearsonChiSquare(table: ReadonlyArray<ReadonlyArray<number>>): PearsonChiSquare {
  const r = table.length
  const c = table[0]?.length ?? 0
  if (r < 2 || c < 2) throw new Error('pearsonChiSquare: the table must be at least 2 x 2')
  const rowSums = new Array<number>(r).fill(0)
  const colSums = new Array<number>(c).fill(0)
  let n = 0
  table.forEach((row, i) => {
    if (row.length !== c) throw new Error('pearsonChiSquare: all rows must have the same length')
    row.forEach((v, j) => {
      if (!(v >= 0) || !Number.isFinite(v)) throw new Error('pearsonChiSquare: counts must be non-negative')
      rowSums[i] = (rowSums[i] as number) + v
      colSums[j] = (colSums[j] as number) + v
      n += v
    })
  })
  let statistic = 0
  let small = false
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const e = ((rowSums[i] as number) * (colSums[j] as number)) / n
      if (e < 5) small = true
      const d = ((table[i] as number[])[j] as number) - e
      statistic += (d * d) / e
    }
  }
  const df = (r - 1) * (c - 1)
  const ok = Number.isFinite(statistic)
  return {
    statistic: ok ? statistic : null,
    df,
    p_value: ok ? chiSquareUpperTail(statistic, df) : null,
    warnings: small ? ['Chi-squared approximation may be incorrect'] : [],
  }
}
