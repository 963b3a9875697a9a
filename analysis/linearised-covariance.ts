import type { SurveyDesign } from './create-survey-design'

/** Weighted domain means of K variables and their linearisation covariance. */
export interface LinearisedCovariance {
  /** Σ w over the domain */
  sumWeights: number
  /** unweighted number of domain respondents */
  nDomain: number
  means: number[] | null
  covariance: number[][] | null
}

/**
 * Weighted domain means of K variables and their Taylor-linearisation covariance, with or without the
 * calibration (raking) adjustment, computed from cell aggregates.
 *
 * Setting: with-replacement design with n respondents (rows outside the domain count as zeros, as survey's
 * domain estimation), final weights wᵢ constant within raking cells. Domain rows of cell c fall in categories
 * j with counts n_cj and value vectors x_j. W = Σ_domain wᵢ, p = Σ_domain wᵢ xᵢ / W.
 * Influence values vᵢ = (xᵢ - p)/W in the domain, 0 elsewhere. Weights-only: eᵢ = wᵢ vᵢ. Raked
 * (calibration-adjusted, GREG residuals): eᵢ = wᵢ (vᵢ - Mᵢ b), b = least-squares coefficients of v on the
 * raking-level indicators M. Covariance = n/(n-1) Σ (eᵢ - ē)(eᵢ - ē)ᵀ.
 * All sums reduce to cells: Σ_{i∈c} eᵢeᵢᵀ = w_c² [Σ_j n_cj (a_j - m_c)(a_j - m_c)ᵀ + (N_c - A_c) m_c m_cᵀ],
 * with a_j = (x_j - p)/W, m_c = fitted value in cell c, A_c = Σ_j n_cj, N_c = all respondents of the cell.
 *
 * Reference: Binder (1983), Int. Statist. Rev. 51, 279-292; Deville & Särndal (1992); R survey 4.1.1
 * `svymean` / `svyrecvar` on `rake()` designs (oracle README closed form).
 *
 * @param design the design (cells, weights, projector).
 * @param counts domain counts, row-major C × J (cell c, category j).
 * @param values J value vectors of length K.
 * @param calibrated true for the raked (calibration-adjusted) covariance, false for weights-only.
 * @returns means and covariance (nulls when the domain has zero weight).
 * @throws if shapes disagree or domain counts exceed cell counts.
 * @example
 * // satisfied proportion of a domain: categories [satisfied, not satisfied] with values [[1], [0]]
 * linearisedCovariance(design, counts, [[1], [0]], true).covariance // [[se²]]
 */
export function linearisedCovariance(
  design: SurveyDesign,
  counts: ArrayLike<number>,
  values: ReadonlyArray<ReadonlyArray<number>>,
  calibrated: boolean,
): LinearisedCovariance {
  const C = design.cells.length
  const J = values.length
  const K = J > 0 ? values[0]!.length : 0
  if (counts.length !== C * J)
    throw new Error('linearisedCovariance: counts must have cells x categories entries')
  let W = 0
  let nDomain = 0
  const sx = new Array<number>(K).fill(0)
  for (let c = 0; c < C; c++) {
    const cell = design.cells[c]!
    let a = 0
    for (let j = 0; j < J; j++) {
      const k = counts[c * J + j]!
      if (!(k >= 0)) throw new Error('linearisedCovariance: counts must be non-negative')
      if (k === 0) continue
      a += k
      const wk = cell.weight * k
      W += wk
      const x = values[j]!
      for (let q = 0; q < K; q++) sx[q] = sx[q]! + wk * x[q]!
    }
    if (a > cell.count) throw new Error('linearisedCovariance: domain counts exceed the cell count')
    nDomain += a
  }
  if (!(W > 0)) return { sumWeights: W, nDomain, means: null, covariance: null }
  const p = sx.map((s) => s / W)
  const n = design.n
  // Flat scratch arrays (row-major), the same sums in the same order as one small array per cell and level:
  // a_j = (x_j - p) / W at aj[j * K + q]; fitted m_c at fitted[c * K + q] (zeros without calibration).
  const aj = new Float64Array(J * K)
  for (let j = 0; j < J; j++) {
    const x = values[j]!
    for (let q = 0; q < K; q++) aj[j * K + q] = (x[q]! - p[q]!) / W
  }
  const fitted = new Float64Array(C * K)
  if (calibrated) {
    const L = design.projector[0]?.length ?? 0
    // Mᵀv per level: per cell s_c = Σ_j n_cj a_j, added to the row of each of the cell's levels
    const mtv = new Float64Array(L * K)
    const s = new Float64Array(K)
    for (let c = 0; c < C; c++) {
      s.fill(0)
      for (let j = 0; j < J; j++) {
        const k = counts[c * J + j]!
        if (k === 0) continue
        for (let q = 0; q < K; q++) s[q] = s[q]! + k * aj[j * K + q]!
      }
      const cell = design.cells[c]!
      cell.levels.forEach((lv, v) => {
        const row = (design.levelOffsets[v]! + lv) * K
        for (let q = 0; q < K; q++) mtv[row + q] = mtv[row + q]! + s[q]!
      })
    }
    for (let c = 0; c < C; c++) {
      const g = design.projector[c]!
      for (let l = 0; l < L; l++) {
        const gl = g[l]!
        if (gl === 0) continue
        for (let q = 0; q < K; q++) fitted[c * K + q] = fitted[c * K + q]! + gl * mtv[l * K + q]!
      }
    }
  }
  const S = new Float64Array(K * K)
  const sumE = new Float64Array(K)
  const d = new Float64Array(K)
  for (let c = 0; c < C; c++) {
    const cell = design.cells[c]!
    if (cell.count === 0) continue
    const w = cell.weight
    const w2 = w * w
    const m = c * K
    let a = 0
    for (let j = 0; j < J; j++) {
      const k = counts[c * J + j]!
      if (k === 0) continue
      a += k
      const x = j * K
      for (let q = 0; q < K; q++) {
        d[q] = aj[x + q]! - fitted[m + q]!
        sumE[q] = sumE[q]! + w * k * d[q]!
      }
      for (let q = 0; q < K; q++) {
        const dq = w2 * k * d[q]!
        const row = q * K
        for (let r = 0; r <= q; r++) S[row + r] = S[row + r]! + dq * d[r]!
      }
    }
    const rest = cell.count - a
    if (rest > 0 && calibrated) {
      for (let q = 0; q < K; q++) {
        sumE[q] = sumE[q]! - w * rest * fitted[m + q]!
        const mq = w2 * rest * fitted[m + q]!
        const row = q * K
        for (let r = 0; r <= q; r++) S[row + r] = S[row + r]! + mq * fitted[m + r]!
      }
    }
  }
  const factor = n > 1 ? n / (n - 1) : NaN
  const cov = Array.from({ length: K }, () => new Array<number>(K).fill(0))
  for (let q = 0; q < K; q++) {
    for (let r = 0; r <= q; r++) {
      const v = factor * (S[q * K + r]! - (sumE[q]! * sumE[r]!) / n)
      cov[q]![r] = v
      cov[r]![q] = v
    }
  }
  return { sumWeights: W, nDomain, means: p, covariance: n > 1 ? cov : null }
}
