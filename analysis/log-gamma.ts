import { stirlingCorrection } from './stirling-correction'

/**
 * Natural logarithm of the gamma function, log Γ(x), for x > 0.
 *
 * For x >= 10: Stirling's series log Γ(x) = (x - 1/2) log x - x + log(2π)/2 + c(x), with the correction
 * c(x) = 1/(12x) - 1/(360x³) + 1/(1260x⁵) - 1/(1680x⁷) + 1/(1188x⁹) (error < 1e-17 relative to c).
 * For 0 < x < 10: shift up with log Γ(x) = log Γ(x + k) - log(x (x+1) ... (x+k-1)).
 *
 * Reference: Abramowitz & Stegun 6.1.40; Numerical Recipes (3rd ed.) 6.1.
 *
 * @param x a positive number.
 * @returns log Γ(x).
 * @throws if x is not positive.
 * @example
 * logGamma(0.5) // 0.5723649429247001 (= log(sqrt(pi)))
 */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new Error('logGamma: x must be positive')
  if (x === Infinity) return Infinity
  if (x < 10) {
    let product = 1
    let y = x
    while (y < 10) {
      product *= y
      y += 1
    }
    return logGamma(y) - Math.log(product)
  }
  return (x - 0.5) * Math.log(x) - x + 0.9189385332046727 + stirlingCorrection(x)
}
