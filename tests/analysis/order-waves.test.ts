import { describe, expect, it } from 'vitest'
import { orderWaves } from '#analysis/order-waves.ts'

describe('orderWaves', () => {
  it('puts "Wave 9" before "Wave 10" (natural order)', () => {
    expect(orderWaves(['Wave 10', 'Wave 9', 'Wave 1'])).toEqual(['Wave 1', 'Wave 9', 'Wave 10'])
  })
  it('orders years and year ranges', () => {
    expect(orderWaves(['2026', '2025', '2024-25', '2025-26'])).toEqual(['2024-25', '2025', '2025-26', '2026'])
  })
  it('follows a configured order, unlisted waves after in natural order, duplicates removed', () => {
    expect(orderWaves(['spring', 'autumn', 'Wave 2', 'spring'], ['spring', 'autumn'])).toEqual([
      'spring',
      'autumn',
      'Wave 2',
    ])
  })
  it('does not depend on the input order', () => {
    const a = ['01', '1', 'b2', 'b10', 'a']
    expect(orderWaves(a)).toEqual(orderWaves([...a].reverse()))
  })
})
