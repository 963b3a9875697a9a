/**
 * Puts the groups of a segment in the order every view shows them (docs/methodology.md).
 *
 * Definition: the order the question offers its answers (`listed`: age bands ascending, as asked), then
 * values the question does not list in code-point order, then '' ("not stated") last.
 *
 * Reference: PRODUCT.md §1 (groups read as the customer was asked).
 *
 * @param groups group values present.
 * @param listed the question's answer values in its order (may be empty).
 * @returns the groups in display order.
 * @example
 * orderGroups(['', '65-74', '16-24', 'other'], ['16-24', '65-74']) // ['16-24', '65-74', 'other', '']
 */
export function orderGroups(groups: ReadonlyArray<string>, listed: ReadonlyArray<string> = []): string[] {
  const rank = (g: string) => (g === '' ? 2e9 : listed.includes(g) ? listed.indexOf(g) : 1e9)
  return [...groups].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
}
