import { jacobiEigen } from './jacobi-eigen'

/**
 * Moore-Penrose pseudo-inverse of a symmetric positive semi-definite matrix.
 *
 * Formula: with A = V Λ Vᵀ (Jacobi eigen decomposition), A⁺ = V Λ⁺ Vᵀ where Λ⁺ inverts the eigenvalues
 * above tol × λ_max and sets the others to 0. Gives the minimum-norm least-squares solution of rank-deficient
 * normal equations (e.g. indicator columns of several raking variables, which all sum to the intercept).
 *
 * Reference: Golub & Van Loan (2013) §5.5.
 *
 * @param matrix symmetric n × n matrix.
 * @param tol relative eigenvalue cut-off (default 1e-10).
 * @returns A⁺ (n × n).
 * @throws if the matrix is not symmetric.
 * @example
 * pseudoInverseSymmetric([[1, 1], [1, 1]]) // [[0.25, 0.25], [0.25, 0.25]]
 */
export function pseudoInverseSymmetric(
  matrix: ReadonlyArray<ReadonlyArray<number>>,
  tol = 1e-10,
): number[][] {
  const n = matrix.length
  if (n === 0) return []
  const { values, vectors } = jacobiEigen(matrix)
  const max = Math.max(0, ...values)
  const inv = values.map((l) => (l > tol * max ? 1 / l : 0))
  const out = Array.from({ length: n }, () => new Array<number>(n).fill(0))
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0
      for (let k = 0; k < n; k++) s += vectors[i]![k]! * inv[k]! * vectors[j]![k]!
      out[i]![j] = s
      out[j]![i] = s
    }
  }
  return out
}
