/**
 * Finite-population correction factor for a standard error or margin: √((N - n) / (N - 1)).
 *
 * Applied to the normal-approximation margin when the population N of a group is known
 * (the methods note must say so). Equals 1 - O(n/N); 0 for a census (n = N).
 *
 * Reference: Cochran (1977) Sampling Techniques, eq. 2.12.
 *
 * @param N population size (> 1).
 * @param n sample size (0 <= n <= N).
 * @returns the factor.
 * @throws if N <= 1 or n is outside [0, N].
 * @example
 * finitePopulationFactor(48000, 1766) // 0.9814420006254465
 */
export function finitePopulationFactor(N: number, n: number): number {
  if (!(N > 1)) throw new Error('finitePopulationFactor: N must be greater than 1')
  if (!(n >= 0 && n <= N)) throw new Error('finitePopulationFactor: n must be in [0, N]')
  return Math.sqrt((N - n) / (N - 1))
}
