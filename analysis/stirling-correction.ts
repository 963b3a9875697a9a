/**
 * Remainder of Stirling's approximation to log Γ(x):
 * c(x) = log Γ(x) - [(x - 1/2) log x - x + log(2π)/2], for x >= 10.
 *
 * Asymptotic series c(x) = Σ B₂ₖ / (2k (2k-1) x^(2k-1)) = 1/(12x) - 1/(360x³) + 1/(1260x⁵) - 1/(1680x⁷)
 * + 1/(1188x⁹) - 691/(360360x¹¹) + 1/(156x¹³); truncation error below 1e-16 for x >= 10.
 * Used on its own to form log B(a, b) without cancelling large log Γ values (as R's `lgammacor`).
 *
 * Reference: Abramowitz & Stegun 6.1.40.
 *
 * @param x a number >= 10.
 * @returns c(x).
 * @throws if x < 10.
 * @example
 * stirlingCorrection(10) // 0.008330563433362899
 */
export function stirlingCorrection(x: number): number {
  if (!(x >= 10)) throw new Error('stirlingCorrection: x must be >= 10')
  const x2 = 1 / (x * x)
  return (
    (1 / 12 -
      x2 * (1 / 360 - x2 * (1 / 1260 - x2 * (1 / 1680 - x2 * (1 / 1188 - x2 * (691 / 360360 - x2 / 156)))))) /
    x
  )
}
