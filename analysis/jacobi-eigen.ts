/**
 * Eigen decomposition of a real symmetric matrix by the cyclic Jacobi method.
 *
 * Definition: finds orthogonal V and diagonal Λ with A = V Λ Vᵀ. Each sweep applies plane rotations
 * that zero every off-diagonal element in turn (rotation angle from θ = (a_qq - a_pp)/(2 a_pq),
 * t = sgn(θ)/(|θ| + √(θ² + 1))), until the off-diagonal sum of squares is negligible; eigenvalues are
 * returned in decreasing order (as R's `eigen`), eigenvectors as the columns of `vectors` (signs arbitrary).
 *
 * Reference: Numerical Recipes (3rd ed.) 11.1 `Jacobi`; Golub & Van Loan (2013) §8.5.
 *
 * @param matrix a symmetric n × n matrix (rows).
 * @returns { values, vectors } with vectors[i][k] = component i of eigenvector k.
 * @throws if the matrix is not square and symmetric or the iteration does not converge.
 * @example
 * jacobiEigen([[2, 1], [1, 2]]).values // [3, 1]
 */
export function jacobiEigen(matrix: ReadonlyArray<ReadonlyArray<number>>): {
  values: number[]
  vectors: number[][]
} {
  const n = matrix.length
  const a = matrix.map((row) => {
    if (row.length !== n) throw new Error('jacobiEigen: the matrix must be square')
    return row.slice()
  })
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const x = a[i]![j]!
      const y = a[j]![i]!
      if (!Number.isFinite(x) || Math.abs(x - y) > 1e-9 * Math.max(1, Math.abs(x), Math.abs(y))) {
        throw new Error('jacobiEigen: the matrix must be symmetric and finite')
      }
    }
  }
  const v: number[][] = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  )
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0
    let diag = 0
    for (let i = 0; i < n; i++) {
      diag += a[i]![i]! * a[i]![i]!
      for (let j = i + 1; j < n; j++) off += a[i]![j]! * a[i]![j]!
    }
    if (off === 0 || off <= 1e-32 * diag) return sortEigen(a, v)
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!
        if (apq === 0) continue
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq)
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!
          const akq = a[k]![q]!
          a[k]![p] = c * akp - s * akq
          a[k]![q] = s * akp + c * akq
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!
          const aqk = a[q]![k]!
          a[p]![k] = c * apk - s * aqk
          a[q]![k] = s * apk + c * aqk
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!
          const vkq = v[k]![q]!
          v[k]![p] = c * vkp - s * vkq
          v[k]![q] = s * vkp + c * vkq
        }
      }
    }
  }
  throw new Error('jacobiEigen: did not converge')
}

function sortEigen(a: number[][], v: number[][]): { values: number[]; vectors: number[][] } {
  const n = a.length
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j]![j]! - a[i]![i]!)
  return {
    values: order.map((i) => a[i]![i]!),
    vectors: v.map((row) => order.map((k) => row[k]!)),
  }
}
