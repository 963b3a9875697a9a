/**
 * Puts wave labels in chronological order: the one rule every view, export, importer and the engine use
 * (docs/methodology.md, "Waves").
 *
 * Definition: when a configured order is given, waves follow it and any wave it does not list comes after,
 * in natural order. Otherwise labels are sorted in natural order: runs of digits compare as numbers and the
 * rest as text, so "Wave 9" comes before "Wave 10", "2025" before "2026" and "2025-26" before "2026-27".
 * Ties in natural order (e.g. "01" and "1") fall back to plain code-point order so the result never depends on
 * the input order.
 *
 * Reference: Unicode Technical Standard #10 numeric collation, as `Intl.Collator('en', { numeric: true })`
 * applies it; the Intl collator is not used so that the result cannot change with the ICU data of a runtime.
 *
 * @param found wave labels present (duplicates are removed).
 * @param configured optional chronological order set by the analyst.
 * @returns the labels, oldest first, latest last.
 * @example
 * orderWaves(['Wave 10', 'Wave 9', 'Wave 1']) // ['Wave 1', 'Wave 9', 'Wave 10']
 */
export function orderWaves(found: ReadonlyArray<string>, configured?: ReadonlyArray<string>): string[] {
  const unique = [...new Set(found)]
  const natural = unique.sort(compareNatural)
  if (!configured) return natural
  const listed = configured.filter((w, i) => unique.includes(w) && configured.indexOf(w) === i)
  return [...listed, ...natural.filter((w) => !configured.includes(w))]
}

function chunks(label: string): Array<string | bigint> {
  return (label.match(/\d+|\D+/g) ?? []).map((part) => (/^\d/.test(part) ? BigInt(part) : part))
}

function compareNatural(a: string, b: string): number {
  const x = chunks(a)
  const y = chunks(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!
    const q = y[i]!
    if (typeof p === 'bigint' && typeof q === 'bigint') {
      if (p !== q) return p < q ? -1 : 1
    } else {
      const s = String(p)
      const t = String(q)
      if (s !== t) return s < t ? -1 : 1
    }
  }
  if (x.length !== y.length) return x.length - y.length
  return a < b ? -1 : a > b ? 1 : 0
}
