import type { ReportCell } from '#analysis/insight-report-types.ts'
import type { ExportContext } from './export-context.server.ts'

/*
 * Charts for the evidence pack, drawn as plain SVG on the server: horizontal bars of % satisfied with the
 * interval as an error bar, so each chart shows exactly the numbers of the table beside it: the insight report's
 * published cells (ctx.insight.report), as the dashboard shows them. Suppressed groups are drawn as a labelled
 * gap, never as a bar. PNG copies are rendered with resvg (docs/decisions/005).
 */

export interface ChartBar {
  label: string
  p: number | null
  lower: number | null
  upper: number | null
  note?: string
}

export interface Chart {
  id: string
  title: string
  description: string
  bars: ChartBar[]
  svg: string
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

const percent = (p: number) => `${(p * 100).toFixed(0)}%`

/** A horizontal bar chart with error bars; width 760, height grows with the bars. */
export function barChartSvg(title: string, description: string, bars: ChartBar[]): string {
  const width = 760
  const left = 230
  const right = 60
  const top = 56
  const barHeight = 22
  const gap = 10
  const plotWidth = width - left - right
  const height = top + bars.length * (barHeight + gap) + 40
  const x = (p: number) => left + Math.max(0, Math.min(1, p)) * plotWidth
  const parts: string[] = []
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`)
  parts.push(
    `<text x="16" y="28" font-size="17" font-weight="bold" fill="#0b0c0c">${escapeXml(title)}</text>`,
  )
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const tx = x(tick)
    parts.push(
      `<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${height - 34}" stroke="#b1b4b6" stroke-width="1"/>`,
    )
    parts.push(
      `<text x="${tx}" y="${height - 16}" font-size="12" text-anchor="middle" fill="#505a5f">${percent(tick)}</text>`,
    )
  }
  bars.forEach((bar, i) => {
    const y = top + i * (barHeight + gap)
    const label = bar.label.length > 34 ? `${bar.label.slice(0, 33)}…` : bar.label
    parts.push(
      `<text x="${left - 8}" y="${y + barHeight / 2 + 4}" font-size="13" text-anchor="end" fill="#0b0c0c">${escapeXml(label)}</text>`,
    )
    if (bar.p === null) {
      parts.push(
        `<text x="${left + 6}" y="${y + barHeight / 2 + 4}" font-size="12" font-style="italic" fill="#505a5f">${escapeXml(bar.note ?? 'suppressed: base too small')}</text>`,
      )
      return
    }
    parts.push(
      `<rect x="${left}" y="${y}" width="${(x(bar.p) - left).toFixed(2)}" height="${barHeight}" fill="#1d70b8"/>`,
    )
    if (bar.lower !== null && bar.upper !== null) {
      const cy = y + barHeight / 2
      const lx = x(bar.lower).toFixed(2)
      const ux = x(bar.upper).toFixed(2)
      parts.push(`<line x1="${lx}" y1="${cy}" x2="${ux}" y2="${cy}" stroke="#0b0c0c" stroke-width="2"/>`)
      parts.push(
        `<line x1="${lx}" y1="${cy - 7}" x2="${lx}" y2="${cy + 7}" stroke="#0b0c0c" stroke-width="2"/>`,
      )
      parts.push(
        `<line x1="${ux}" y1="${cy - 7}" x2="${ux}" y2="${cy + 7}" stroke="#0b0c0c" stroke-width="2"/>`,
      )
    }
    const valueX = Math.max(x(bar.upper ?? bar.p), x(bar.p)) + 6
    const value = `${percent(bar.p)}${bar.note ? ` (${bar.note})` : ''}`
    parts.push(
      `<text x="${valueX.toFixed(2)}" y="${y + barHeight / 2 + 4}" font-size="12" fill="#0b0c0c">${escapeXml(value)}</text>`,
    )
  })
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="t d" font-family="DejaVu Sans, Arial, Helvetica, sans-serif">` +
    `<title id="t">${escapeXml(title)}</title><desc id="d">${escapeXml(description)}</desc>${parts.join('')}</svg>`
  )
}

/** The pack's charts from the insight report: key areas, overall by each customer group, and by wave. */
export function buildCharts(ctx: ExportContext): Chart[] {
  const report = ctx.insight.report
  const weighted = report.meta.weighted ? 'weighted, ' : ''
  const level = `${Math.round(report.meta.confidence * 100)}%`
  const charts: Chart[] = []
  const add = (id: string, title: string, description: string, bars: ChartBar[]) => {
    if (bars.length > 0)
      charts.push({ id, title, description, bars, svg: barChartSvg(title, description, bars) })
  }
  const barOf = (label: string, c: ReportCell | undefined): ChartBar => {
    const shown = c !== undefined && c.status !== 'suppressed'
    return {
      label,
      p: shown ? c.p : null,
      lower: shown ? c.lower : null,
      upper: shown ? c.upper : null,
      ...(shown && c.status === 'low_base' ? { note: 'low base' } : {}),
      ...(!shown ? { note: 'too few responses to report' } : {}),
    }
  }
  add(
    'key-areas',
    'Satisfaction with each key area',
    `Per cent satisfied, all respondents (${weighted}${level} interval as error bars).`,
    report.meta.ratings.map((r) => barOf(r.label, report.overall.cells[r.name])),
  )
  const overall = report.meta.overall
  for (const segment of report.meta.segments) {
    const rows = report.rows.filter((r) => r.by === segment.name)
    add(
      `overall-by-${segment.name}`,
      `Overall satisfaction by ${segment.label.toLowerCase()}`,
      `Per cent satisfied overall in each group (${weighted}${level} interval). Groups too small to report are not drawn.`,
      rows.map((r) => barOf(r.groupLabel, r.cells[overall])),
    )
  }
  const trend = report.trends.find((t) => t.rating === overall)
  if (trend && trend.points.length > 1) {
    add(
      'overall-by-wave',
      'Overall satisfaction by wave',
      `Per cent satisfied overall in each wave (${weighted}${level} interval).`,
      trend.points.map((p) => barOf(`Wave ${p.wave}`, p.cell)),
    )
  }
  return charts
}

/** PNG of an SVG chart, or null when the renderer cannot load on this machine. */
export async function svgToPng(svg: string): Promise<Uint8Array | null> {
  try {
    const { Resvg } = await import('@resvg/resvg-js')
    const png = new Resvg(svg, {
      font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
      fitTo: { mode: 'zoom', value: 2 },
    })
      .render()
      .asPng()
    return new Uint8Array(png)
  } catch {
    return null
  }
}
