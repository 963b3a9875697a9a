import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { axeViolations, settle } from './browser.ts'

/*
 * The checks tests/browser/accessibility-every-route.test.ts makes on every page, measured in the browser from
 * getComputedStyle: axe-core (WCAG 2.0-2.2 A and AA), one main landmark, the 3:1 non-text contrast of radios and
 * checkboxes (WCAG 1.4.11), a visible focus indicator with 3:1 contrast on every kind of control (2.4.7), reflow
 * at 320 CSS px (1.4.10), and the language of respondent pages.
 */

/** Relative luminance and contrast ratio (WCAG 2.2), with colours from getComputedStyle. */
const colourScript = `
window.__a11y = (() => {
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c || '')
    if (!m) return null
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number)
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }
  }
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4) }
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b)
  }
  const over = (top, bottom) => ({ r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a), b: top.b * top.a + bottom.b * (1 - top.a), a: 1 })
  /** The opaque colour behind an element: its ancestors' backgrounds composited over white. */
  const background = (el) => {
    const layers = []
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor)
      if (c && c.a > 0) { layers.push(c); if (c.a === 1) break }
    }
    let result = { r: 255, g: 255, b: 255, a: 1 }
    for (const c of layers.reverse()) result = over(c, result)
    return result
  }
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05) }
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && el.checkVisibility({ visibilityProperty: true }) }
  /** What the user sees of a control: itself, or the element drawn in its place when it is visually hidden
   *  (SurveyJS hides its radios and draws the next sibling, .sd-item__decorator). Transitions are switched off
   *  so the computed style is the settled one a user sees, not a frame of an animation. */
  const drawn = (el) => {
    const r = el.getBoundingClientRect()
    const shown = r.width <= 2 || r.height <= 2 ? el.nextElementSibling || el : el
    for (const e of new Set([el, shown])) e.style.transition = 'none'
    return shown
  }
  return { parse, ratio, background, over, describe, visible, drawn }
})()
`

export interface PageProblems {
  axe: Array<{ id: string; help: string; nodes: string[] }>
  mains: number
  nonText: string[]
  focus: string[]
  reflow: string | null
  /** Language of the page: lang attribute, switch, skip link (respondent pages only). */
  language: string[]
}

/** Radio and checkbox borders against the background behind the control (WCAG 1.4.11). */
async function nonTextContrast(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const a = (window as unknown as { __a11y: A11y }).__a11y
    const problems: string[] = []
    for (const input of document.querySelectorAll<HTMLInputElement>(
      'input[type=radio], input[type=checkbox]',
    )) {
      if (!a.visible(input)) continue
      const el = a.drawn(input)
      const s = getComputedStyle(el)
      const behind = a.background(el.parentElement!)
      const width = parseFloat(s.borderTopWidth)
      const colour = a.parse(s.borderTopColor)
      if (s.appearance !== 'none' || s.borderTopStyle === 'none' || width < 1 || !colour) {
        problems.push(
          `${a.describe(el)}: drawn by the browser (appearance ${s.appearance}, border ${s.borderTopStyle} ${s.borderTopWidth}), so its contrast is not under our control`,
        )
        continue
      }
      const r = a.ratio(a.over(colour, behind), behind)
      if (r < 3)
        problems.push(
          `${a.describe(el)}: border ${s.borderTopColor} on ${JSON.stringify(behind)} is ${r.toFixed(2)}:1`,
        )
    }
    return problems
  })
}

/**
 * One control of every focusable kind, focused after a key press (so :focus-visible applies as it would for a
 * keyboard user): it must show an outline or a box-shadow ring of at least 2 px, one of whose colours has 3:1
 * contrast against the background around the control, and the ring must differ from the unfocused look.
 */
async function focusIndicators(page: Page): Promise<string[]> {
  await page.keyboard.press('Shift')
  return page.evaluate(() => {
    const a = (window as unknown as { __a11y: A11y }).__a11y
    const kindOf = (el: Element) => {
      const tag = el.tagName.toLowerCase()
      if (tag === 'input') return `input[type=${(el as HTMLInputElement).type}]`
      if (tag === 'a') return el.closest('header') ? 'a (header)' : 'a'
      if (tag === 'button') return el.closest('header') ? 'button (header)' : 'button'
      return tag
    }
    // A button out of the focus order (tabindex=-1, aria-hidden) is not keyboard UI: the respondent form's hidden
    // default button, which makes Enter mean Next (app/components/respondent-form.tsx).
    const selector =
      'a[href], button:not([tabindex="-1"]), input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])'
    const seen = new Set<string>()
    const problems: string[] = []
    const ring = (s: CSSStyleDeclaration) =>
      `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor} | ${s.boxShadow}`
    for (const el of document.querySelectorAll<HTMLElement>(selector)) {
      if (!a.visible(el) || el.matches(':disabled')) continue
      const kind = kindOf(el)
      if (seen.has(kind)) continue
      seen.add(kind)
      ;(document.activeElement as HTMLElement | null)?.blur()
      const shown = a.drawn(el)
      const before = ring(getComputedStyle(shown))
      el.focus()
      if (document.activeElement !== el) {
        problems.push(`${kind} ${a.describe(el)}: cannot take focus`)
        continue
      }
      const s = getComputedStyle(shown)
      const behind = a.background(shown.parentElement!)
      const colours: Array<{ r: number; g: number; b: number; a: number }> = []
      if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) {
        const c = a.parse(s.outlineColor)
        if (c) colours.push(c)
      }
      if (s.boxShadow && s.boxShadow !== 'none') {
        // "rgb(11, 12, 12) 0px 0px 0px 5px, ..." : the colour and a spread of at least 2px
        for (const layer of s.boxShadow.split(/,(?![^(]*\))/)) {
          const c = a.parse(layer)
          const lengths = (layer.replace(/rgba?\([^)]*\)/, '').match(/-?[\d.]+px/g) ?? []).map(parseFloat)
          if (c && !/inset/.test(layer) && (lengths[3] ?? 0) >= 2) colours.push(c)
        }
      }
      const best = Math.max(0, ...colours.map((c) => a.ratio(a.over(c, behind), behind)))
      if (colours.length === 0)
        problems.push(`${kind} ${a.describe(el)}: no focus outline or ring (${ring(s)})`)
      else if (best < 3)
        problems.push(`${kind} ${a.describe(el)}: focus ring contrast ${best.toFixed(2)}:1 (${ring(s)})`)
      else if (ring(s) === before)
        problems.push(`${kind} ${a.describe(el)}: looks the same focused and unfocused (${before})`)
      el.blur()
    }
    return problems
  })
}

type A11y = {
  parse(c: string): { r: number; g: number; b: number; a: number } | null
  ratio(a: { r: number; g: number; b: number }, b: { r: number; g: number; b: number }): number
  background(el: Element): { r: number; g: number; b: number; a: number }
  over(
    top: { r: number; g: number; b: number; a: number },
    bottom: { r: number; g: number; b: number; a: number },
  ): { r: number; g: number; b: number; a: number }
  describe(el: Element): string
  visible(el: Element): boolean
  drawn(el: HTMLElement): HTMLElement
}

/** A respondent page is in the language asked for, says so, can switch, and its skip link follows. */
export async function languageProblems(page: Page, lang: 'en' | 'cy'): Promise<string[]> {
  const problems: string[] = []
  const declared = await page.locator('html').getAttribute('lang')
  if (declared !== lang) problems.push(`html lang is ${declared}`)
  // A link, or on the survey form a button of the form, so the answers go with it (app/components/respondent-form.tsx).
  const name = lang === 'cy' ? 'English' : 'Cymraeg'
  const other = page.getByRole('link', { name, exact: true }).or(page.getByRole('button', { name, exact: true }))
  if ((await other.count()) !== 1) problems.push('no language switch')
  const skip = await page.locator('.skip-link').innerText()
  if (skip !== (lang === 'cy' ? "Neidio i'r prif gynnwys" : 'Skip to main content'))
    problems.push(`skip link reads "${skip}"`)
  return problems
}

export async function checkPage(page: Page, reflow: boolean): Promise<PageProblems> {
  await settle(page)
  await page.evaluate(colourScript)
  const axe = (await axeViolations(page)).map(({ id, help, nodes }) => ({ id, help, nodes }))
  const mains = await page.locator('main, [role=main]').count()
  const nonText = await nonTextContrast(page)
  const focus = await focusIndicators(page)
  let overflow: string | null = null
  if (reflow) {
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    if (width > 320) overflow = `scrollWidth ${width} px at 320 px wide`
  }
  return { axe, mains, nonText, focus, reflow: overflow, language: [] }
}

/** One assertion over every page, so a run shows all the work left rather than the first failure. */
export function report(results: Array<{ where: string; problems: PageProblems }>) {
  const failures = results
    .map(({ where, problems: p }) => {
      const lines: string[] = []
      for (const v of p.axe) lines.push(`axe ${v.id}: ${v.help} — ${v.nodes.slice(0, 4).join(' | ')}`)
      if (p.mains !== 1) lines.push(`${p.mains} main landmarks (must be exactly 1)`)
      for (const n of p.nonText) lines.push(`non-text contrast: ${n}`)
      for (const f of p.focus) lines.push(`focus: ${f}`)
      if (p.reflow) lines.push(`reflow: ${p.reflow}`)
      for (const l of p.language) lines.push(`language: ${l}`)
      return lines.length ? `${where}\n  ${lines.join('\n  ')}` : ''
    })
    .filter(Boolean)
  expect(results.length).toBeGreaterThan(0)
  expect(failures.join('\n'), `${failures.length} of ${results.length} pages fail`).toBe('')
}
