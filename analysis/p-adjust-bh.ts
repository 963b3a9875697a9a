/**
 * Benjamini-Hochberg adjustment of p-values (false discovery rate; R's `p.adjust(p, "BH")`).
 *
 * Formula: with the m non-null p-values sorted ascending p₍₁₎ <= ... <= p₍ₘ₎,
 * p̃₍ᵢ₎ = min(1, min_{j >= i} m p₍ⱼ₎ / j); nulls stay null and do not count in m.
 *
 * Reference: Y. Benjamini & Y. Hochberg (1995), JRSS B 57, 289-300.
 *
 * @param p p-values (null = not computable).
 * @returns adjusted p-values in the input order.
 * @throws if a p-value is outside [0, 1].
 * @example
 * pAdjustBh([0.01, 0.04, 0.03]) // [0.03, 0.04, 0.04]
 */
export function pAdjustBh(p: ReadonlyArray<number | null>): Array<number | null> {
  const idx: number[] = []
  p.forEach((v, i) => {
    if (v === null) return
    if (!(v >= 0 && v <= 1)) throw new Error('pAdjustBh: p-values must be in [0, 1]')
    idx.push(i)
  })
  const m = idx.length
  idx.sort((a, b) => (p[b] as number) - (p[a] as number) || b - a)
  const out: Array<number | null> = p.map(() => null)
  let running = Infinity
  idx.forEach((k, i) => {
    const rank = m - i
    running = Math.min(running, ((p[k] as number) * m) / rank)
    out[k] = Math.min(1, running)
  })
  return out
}
