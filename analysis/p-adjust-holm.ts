/**
 * Holm's step-down adjustment of p-values for multiple comparisons (R's `p.adjust(p, "holm")`).
 *
 * Formula: with the m non-null p-values sorted ascending p₍₁₎ <= ... <= p₍ₘ₎,
 * p̃₍ᵢ₎ = min(1, max_{j <= i} (m - j + 1) p₍ⱼ₎); nulls stay null and do not count in m.
 * Controls the family-wise error rate.
 *
 * Reference: S. Holm (1979), Scand. J. Statist. 6, 65-70.
 *
 * @param p p-values (null = not computable).
 * @returns adjusted p-values in the input order.
 * @throws if a p-value is outside [0, 1].
 * @example
 * pAdjustHolm([0.01, 0.04, 0.03]) // [0.03, 0.06, 0.06]
 */
export function pAdjustHolm(p: ReadonlyArray<number | null>): Array<number | null> {
  const idx: number[] = []
  p.forEach((v, i) => {
    if (v === null) return
    if (!(v >= 0 && v <= 1)) throw new Error('pAdjustHolm: p-values must be in [0, 1]')
    idx.push(i)
  })
  const m = idx.length
  idx.sort((a, b) => (p[a] as number) - (p[b] as number) || a - b)
  const out: Array<number | null> = p.map(() => null)
  let running = 0
  idx.forEach((k, i) => {
    running = Math.max(running, (m - i) * (p[k] as number))
    out[k] = Math.min(1, running)
  })
  return out
}
