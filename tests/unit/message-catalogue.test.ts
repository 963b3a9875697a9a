import { readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { bilingual, langOf, registeredCatalogues } from '#app/i18n/catalogue.ts'

const dir = path.resolve(import.meta.dirname, '../../app/i18n')

describe('the message catalogue (app/i18n)', () => {
  it('refuses an area defined twice', () => {
    bilingual('test-area-once', { a: 'A' }, { a: 'A cy' })
    expect(() => bilingual('test-area-once', { a: 'A' }, { a: 'A cy' })).toThrow(/defined twice/)
  })

  it('reads the language as English unless it is exactly cy', () => {
    expect(langOf('cy')).toBe('cy')
    expect(langOf('CY')).toBe('en')
    expect(langOf(undefined)).toBe('en')
  })

  it('has a non-empty Welsh message for every English one, in every area', async () => {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'catalogue.ts')) {
      await import(path.join(dir, file))
    }
    for (const [area, { en, cy }] of registeredCatalogues()) {
      expect(Object.keys(cy).sort(), area).toEqual(Object.keys(en).sort())
      for (const key of Object.keys(en)) {
        const welsh = cy[key]!
        const sample = typeof welsh === 'function' ? (welsh as (...a: unknown[]) => string)(1, 2, 3) : welsh
        expect(typeof sample, `${area}.${key}`).toBe('string')
        expect(sample.trim(), `${area}.${key} is empty in Welsh`).not.toBe('')
      }
    }
  })
})
