/**
 * Solves the linear system A X = B by Gaussian elimination with partial pivoting.
 *
 * Definition: returns X = A⁻¹ B for a square non-singular A (n × n) and B (n × m); as R's `solve(A, B)`.
 *
 * Reference: Golub & Van Loan (2013) §3.4.
 *
 * @param a square matrix (rows).
 * @param b right-hand side, n × m (rows), or a vector of length n.
 * @returns X with the shape of b.
 * @throws if the shapes disagree or A is (numerically) singular.
 * @example
 * solveLinearSystem([[2, 0], [0, 4]], [2, 2]) // [1, 0.5]
 */
export function solveLinearSystem<T extends number[] | number[][]>(
  a: ReadonlyArray<ReadonlyArray<number>>,
  b: T,
): T {
  const n = a.length
  const vector = b.length > 0 && !Array.isArray(b[0])
  const rhs: number[][] = vector ? (b as number[]).map((x) => [x]) : (b as number[][]).map((r) => r.slice())
  if (rhs.length !== n) throw new Error('solveLinearSystem: A and B must have the same number of rows')
  const m = n === 0 ? 0 : rhs[0]!.length
  const aa = a.map((row) => {
    if (row.length !== n) throw new Error('solveLinearSystem: A must be square')
    return row.slice()
  })
  let scale = 0
  for (const row of aa) for (const x of row) scale = Math.max(scale, Math.abs(x))
  for (let col = 0; col < n; col++) {
    let pivot = col
    for (let r = col + 1; r < n; r++) if (Math.abs(aa[r]![col]!) > Math.abs(aa[pivot]![col]!)) pivot = r
    if (!(Math.abs(aa[pivot]![col]!) > 1e-14 * scale))
      throw new Error('solveLinearSystem: the matrix is singular')
    ;[aa[col], aa[pivot]] = [aa[pivot]!, aa[col]!]
    ;[rhs[col], rhs[pivot]] = [rhs[pivot]!, rhs[col]!]
    const prow = aa[col]!
    const pr = rhs[col]!
    for (let r = col + 1; r < n; r++) {
      const row = aa[r]!
      const f = row[col]! / prow[col]!
      if (f === 0) continue
      for (let k = col; k < n; k++) row[k] = row[k]! - f * prow[k]!
      const rr = rhs[r]!
      for (let k = 0; k < m; k++) rr[k] = rr[k]! - f * pr[k]!
    }
  }
  for (let col = n - 1; col >= 0; col--) {
    const row = aa[col]!
    const rr = rhs[col]!
    for (let k = 0; k < m; k++) {
      let s = rr[k]!
      for (let j = col + 1; j < n; j++) s -= row[j]! * rhs[j]![k]!
      rr[k] = s / row[col]!
    }
  }
  return (vector ? rhs.map((r) => r[0]!) : rhs) as T
}
