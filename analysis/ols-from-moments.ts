import { solveLinearSystem } from './solve-linear-system'
import { tTwoSidedP } from './t-two-sided-p'
import { fUpperTail } from './f-upper-tail'

/** Ordinary least squares fit, in the shape of R's `summary(lm())`. */
export interface OlsFit {
  coefficients: Record<string, { estimate: number; std_error: number; t_value: number; p_value: number }>
  r_squared: number
  adj_r_squared: number
  sigma: number
  df_residual: number
  f_statistic: number
  f_p_value: number
  standardized_beta: Record<string, number>
}

/**
 * OLS regression of y on x₁..x_p with intercept, from means and centred cross-products (no rows needed).
 *
 * Formulas: b = S_xx⁻¹ S_xy; intercept = ȳ - bᵀx̄; RSS = S_yy - bᵀS_xy; df = n - p - 1; σ² = RSS/df;
 * se(b) = √(σ² diag S_xx⁻¹); se(intercept) = √(σ² (1/n + x̄ᵀS_xx⁻¹x̄)); t = b/se, p = 2P(T_df > |t|);
 * R² = 1 - RSS/S_yy; adjusted R² = 1 - (1 - R²)(n - 1)/df; F = ((S_yy - RSS)/p)/(RSS/df);
 * standardised beta = b √(S_xx,jj / S_yy) (= b sd(x)/sd(y)).
 *
 * Reference: Draper & Smith (1998) Applied Regression Analysis §5; R `lm` / `summary.lm`.
 *
 * @param n number of complete cases.
 * @param means means of all variables.
 * @param sscp centred cross-products of all variables.
 * @param names variable names.
 * @param y index of the outcome.
 * @param xs indices of the predictors.
 * @returns the fit.
 * @throws if n <= p + 1 or S_xx is singular.
 * @example
 * olsFromMoments(m.n, m.means, m.sscp, m.variables, 0, [1, 2, 3]).r_squared
 */
export function olsFromMoments(
  n: number,
  means: ReadonlyArray<number>,
  sscp: ReadonlyArray<ReadonlyArray<number>>,
  names: ReadonlyArray<string>,
  y: number,
  xs: ReadonlyArray<number>,
): OlsFit {
  const p = xs.length
  const df = n - p - 1
  if (!(df > 0)) throw new Error('olsFromMoments: too few complete cases for the number of predictors')
  const sxx = xs.map((i) => xs.map((j) => sscp[i]![j]!))
  const sxy = xs.map((i) => sscp[i]![y]!)
  const syy = sscp[y]![y]!
  const identity: number[][] = xs.map((_, i) => xs.map((__, j) => (i === j ? 1 : 0)))
  const inv = solveLinearSystem(sxx, identity)
  const b = inv.map((row) => row.reduce((acc, v, j) => acc + v * sxy[j]!, 0))
  const rss = syy - b.reduce((acc, bj, j) => acc + bj * sxy[j]!, 0)
  const sigma2 = rss / df
  const xbar = xs.map((i) => means[i]!)
  const intercept = means[y]! - b.reduce((acc, bj, j) => acc + bj * xbar[j]!, 0)
  let quad = 0
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) quad += xbar[i]! * inv[i]![j]! * xbar[j]!
  const coefficients: OlsFit['coefficients'] = {}
  const add = (name: string, estimate: number, variance: number): void => {
    const se = Math.sqrt(variance)
    const t = estimate / se
    coefficients[name] = { estimate, std_error: se, t_value: t, p_value: tTwoSidedP(t, df) }
  }
  add('(Intercept)', intercept, sigma2 * (1 / n + quad))
  const standardized: Record<string, number> = {}
  xs.forEach((i, j) => {
    add(names[i]!, b[j]!, sigma2 * inv[j]![j]!)
    standardized[names[i]!] = b[j]! * Math.sqrt(sxx[j]![j]! / syy)
  })
  const r2 = 1 - rss / syy
  const f = (syy - rss) / p / sigma2
  return {
    coefficients,
    r_squared: r2,
    adj_r_squared: 1 - ((1 - r2) * (n - 1)) / df,
    sigma: Math.sqrt(sigma2),
    df_residual: df,
    f_statistic: f,
    f_p_value: fUpperTail(f, p, df),
    standardized_beta: standardized,
  }
}
