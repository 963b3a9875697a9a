import { describe, expect, it } from 'vitest'
import { publishProportion } from '#analysis/publish-proportion.ts'
import { themeFrequency, type ThemeCodedCell, type ThemeFrequencyInput } from '#analysis/theme-frequency.ts'

/*
 * analysis/theme-frequency.ts: the share of coded comments carrying each theme, overall, by customer group and
 * by driver, with the report's Wilson intervals and its disclosure control (docs/decisions/013).
 */

const THRESHOLDS = { lowBase: 50, suppress: 10 }
const THEMES = [
  { id: 'wait', name: 'Waiting times' },
  { id: 'staff', name: 'Helpful staff' },
]

function input(cells: ThemeCodedCell[], overrides: Partial<ThemeFrequencyInput> = {}): ThemeFrequencyInput {
  return {
    themes: THEMES,
    cells,
    breakdowns: [
      {
        by: 'age',
        label: 'Age',
        groups: [
          { group: 'young', label: 'Under 35', commentsShown: true },
          { group: 'old', label: '35 and over', commentsShown: true },
          { group: '', label: 'Not stated', commentsShown: true },
        ],
      },
    ],
    overallShown: true,
    confidence: 0.95,
    thresholds: THRESHOLDS,
    ...overrides,
  }
}

/** Wilson score interval written out from its formula, independently of analysis/wilson-interval.ts. */
function wilson(x: number, n: number): [number, number] {
  const z = 1.959963984540054
  const p = x / n
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n)
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n)
  return [centre - half, centre + half]
}

describe('themeFrequency', () => {
  const cells: ThemeCodedCell[] = [
    { groups: { age: 'young' }, themes: ['wait'], count: 40 },
    { groups: { age: 'young' }, themes: ['staff'], count: 20 },
    { groups: { age: 'old' }, themes: ['wait', 'staff'], count: 25 },
    { groups: { age: 'old' }, themes: ['staff'], count: 35 },
    { groups: { age: '' }, themes: ['wait'], count: 12 },
  ]

  it('publishes each theme overall and by group as a Wilson interval rounded to whole percent', () => {
    const out = themeFrequency(input(cells))
    expect(out.coded).toBe(132)
    const wait = out.themes.find((t) => t.id === 'wait')!
    // 40 + 25 + 12 of 132 coded comments carry "waiting times"
    const [lo, hi] = wilson(77, 132)
    expect(wait.overall).toMatchObject({ status: 'ok', n: 132, p: Math.round((77 / 132) * 100) / 100 })
    expect(wait.overall.lower).toBe(Math.round(lo * 100) / 100)
    expect(wait.overall.upper).toBe(Math.round(hi * 100) / 100)
    const rows = wait.breakdowns[0]!.rows
    expect(rows.map((r) => r.label)).toEqual(['Under 35', '35 and over', 'Not stated'])
    expect(rows[0]!.cell).toEqual({ status: 'ok', suppression: null, step: 0.01, n: 60, ...publishProportion(40, 60, 0.95, 0.01) })
    // 60 coded comments of which 25 carry the theme; n = 12 is under the low base
    expect(rows[1]!.cell.p).toBe(0.42)
    expect(rows[2]!.cell).toMatchObject({ status: 'low_base', n: 12, p: 1 })
  })

  it('hides a group under the threshold and one the report holds back, whatever its own base', () => {
    const small = [...cells.slice(0, 4), { groups: { age: '' }, themes: ['wait'], count: 4 }]
    const out = themeFrequency(input(small))
    const rows = out.themes[0]!.breakdowns[0]!.rows
    expect(rows[2]!.cell).toMatchObject({ status: 'suppressed', n: null, p: null })
    // both other groups have 50 or more comments, so none is hidden to protect it: the rounding is coarsened,
    // or (last resort) the breakdown's percentages are withheld
    expect(['primary', 'withheld']).toContain(rows[2]!.cell.suppression)
    // a second group under the low base may be hidden instead (secondary suppression)
    const secondary = themeFrequency(
      input([
        { groups: { age: 'young' }, themes: ['wait'], count: 20 },
        { groups: { age: 'young' }, themes: ['staff'], count: 10 },
        { groups: { age: 'old' }, themes: ['wait'], count: 50 },
        { groups: { age: 'old' }, themes: ['staff'], count: 40 },
        { groups: { age: '' }, themes: ['wait'], count: 3 },
      ]),
    )
    const waitRows = secondary.themes[0]!.breakdowns[0]!.rows
    expect(waitRows[2]!.cell.suppression).toBe('primary')
    expect(waitRows[1]!.cell.status).toBe('ok')

    const held = input(cells)
    held.breakdowns = [
      { ...held.breakdowns[0]!, groups: held.breakdowns[0]!.groups.map((g) => ({ ...g, commentsShown: g.group !== 'old' })) },
    ]
    const heldRows = themeFrequency(held).themes[0]!.breakdowns[0]!.rows
    expect(heldRows[1]!.cell).toMatchObject({ status: 'suppressed', suppression: 'primary', n: null })
    // with "35 and over" hidden, the total less the others would give it away unless something else is done
    expect(heldRows.filter((r) => r.cell.status !== 'suppressed').every((r) => r.cell.p !== null)).toBe(true)
  })

  it('never lets a hidden group be worked out by subtraction', () => {
    const small = [...cells.slice(0, 4), { groups: { age: '' }, themes: ['wait'], count: 4 }]
    const out = themeFrequency(input(small))
    for (const theme of out.themes) {
      const rows = theme.breakdowns[0]!.rows
      const hidden = rows.filter((r) => r.cell.status === 'suppressed')
      expect(hidden.length).toBeGreaterThan(0)
      // an independent reader: every count of each published group consistent with what is shown, by brute force
      const sets = rows
        .filter((r) => r.cell.status !== 'suppressed')
        .map((r) => {
          const n = r.cell.n!
          const shown = JSON.stringify({ p: r.cell.p, lower: r.cell.lower, upper: r.cell.upper })
          const ok: number[] = []
          for (let k = 0; k <= n; k++) if (JSON.stringify(publishProportion(k, n, 0.95, r.cell.step)) === shown) ok.push(k)
          return ok
        })
      const totalShown = JSON.stringify({ p: theme.overall.p, lower: theme.overall.lower, upper: theme.overall.upper })
      const totals: number[] = []
      for (let k = 0; k <= theme.overall.n!; k++)
        if (JSON.stringify(publishProportion(k, theme.overall.n!, 0.95, 0.01)) === totalShown) totals.push(k)
      let sums = new Set([0])
      for (const s of sets) sums = new Set([...sums].flatMap((a) => s.map((b) => a + b)))
      // bases are published, so the hidden groups' combined base follows from the total
      const hiddenN = theme.overall.n! - rows.filter((r) => r.cell.n !== null).reduce((a, r) => a + r.cell.n!, 0)
      const possible = new Set<number>()
      for (const t of totals) for (const s of sums) if (t - s >= 0 && t - s <= hiddenN) possible.add(t - s)
      // one hidden group: its own count must stay uncertain; several: their sum must, unless they are many
      if (hidden.length === 1 || hiddenN < THRESHOLDS.suppress) expect(possible.size).toBeGreaterThan(1)
    }
  })

  it('counts by driver as another breakdown, with comments not about a driver as their own group', () => {
    const out = themeFrequency(
      input(
        [
          { groups: { driver: 'timeliness' }, themes: ['wait'], count: 30 },
          { groups: { driver: 'timeliness' }, themes: ['staff'], count: 10 },
          { groups: { driver: '' }, themes: ['staff'], count: 20 },
        ],
        {
          breakdowns: [
            {
              by: 'driver',
              label: 'Driver',
              groups: [
                { group: 'timeliness', label: 'Timeliness', commentsShown: true },
                { group: '', label: 'Not about a driver', commentsShown: true },
              ],
            },
          ],
        },
      ),
    )
    const rows = out.themes[0]!.breakdowns[0]!.rows
    expect(rows[0]!.cell).toMatchObject({ n: 40, p: 0.75 })
    expect(rows[1]!.cell).toMatchObject({ n: 20, p: 0 })
  })

  it('publishes nothing when the report holds back the survey’s comments or too few comments are coded', () => {
    for (const out of [
      themeFrequency(input(cells, { overallShown: false })),
      themeFrequency(input([{ groups: { age: 'young' }, themes: ['wait'], count: 9 }])),
    ]) {
      expect(out.coded).toBeNull()
      for (const t of out.themes) {
        expect(t.overall).toMatchObject({ status: 'suppressed', n: null, p: null })
        for (const r of t.breakdowns[0]!.rows) expect(r.cell.p).toBeNull()
      }
    }
  })

  it('hides a group the cells hold but the breakdown does not list (the report has no decision for it)', () => {
    const out = themeFrequency(input([...cells, { groups: { age: 'unknown' }, themes: ['wait'], count: 30 }]))
    const row = out.themes[0]!.breakdowns[0]!.rows.find((r) => r.group === 'unknown')!
    expect(row.cell.status).toBe('suppressed')
  })

  it('refuses malformed input, naming itself', () => {
    expect(() => themeFrequency(input([{ groups: {}, themes: ['nope'], count: 3 }]))).toThrow(/themeFrequency: unknown theme/)
    expect(() => themeFrequency(input([{ groups: {}, themes: ['wait'], count: -1 }]))).toThrow(/themeFrequency/)
    expect(() => themeFrequency(input([{ groups: {}, themes: ['wait'], count: 1.5 }]))).toThrow(/themeFrequency/)
    expect(() => themeFrequency(input(cells, { confidence: 1 }))).toThrow(/themeFrequency/)
  })
})
