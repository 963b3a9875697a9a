import { parseAnalysisConfig, type AnalysisConfig } from '#analysis/parse-analysis-config.ts'
import type { Population } from '#analysis/parse-population.ts'
import type { TemplateMetadata } from '#templates/metadata.ts'

/**
 * The analysis configuration a survey's metadata implies (docs/methodology.md, "Configuration"): every rating
 * coded like the overall rating, in `ratingOrder` (the questionnaire's order, overall first); overall = the
 * rating whose driver is "overall"; drivers = the others; segments = segment questions then URL segments;
 * raking on the population's margins that the survey collects as segments. `overrides` (an analysis.json
 * given to `npm run analyse`) wins over what is derived.
 */
export function analysisConfigFromMetadata(
  metadata: TemplateMetadata,
  population: Population | null,
  options: {
    ratingOrder?: ReadonlyArray<string>
    smallBase?: { lowBase: number; suppress: number }
    confidence?: number
    overrides?: Record<string, unknown>
  } = {},
): AnalysisConfig {
  const entries = Object.entries(metadata.ratings)
  const overall = entries.find(([, r]) => r.driver === 'overall') ?? entries[0]
  const coding = overall?.[1].coding
  const key = (c: typeof coding) => (c ? JSON.stringify([c.satisfied, c.neither, c.dissatisfied]) : '')
  const order = options.ratingOrder ?? []
  const position = (name: string) =>
    name === overall?.[0]
      ? -1
      : order.includes(name)
        ? order.indexOf(name)
        : 1e9 + entries.findIndex(([n]) => n === name)
  const ratings = entries
    .filter(([, r]) => coding !== undefined && key(r.coding) === key(coding))
    .map(([name]) => name)
    .sort((a, b) => position(a) - position(b))
  const segments = [
    ...new Set([...metadata.segments.map((s) => s.question), ...metadata.urlSegments.map((u) => u.param)]),
  ].filter((s) => s !== 'all' && s !== 'wave')
  const rakingVariables = population
    ? Object.keys(population.margins).filter((v) => segments.includes(v))
    : []
  const derived: Record<string, unknown> = {
    id: 'id',
    wave: 'wave',
    ratings,
    overall: overall?.[0] ?? '',
    drivers: ratings.filter((r) => r !== overall?.[0]),
    segments,
    scale: coding
      ? { satisfied: coding.satisfied, neither: coding.neither, dissatisfied: coding.dissatisfied }
      : undefined,
    ...(rakingVariables.length > 0 ? { raking: { variables: rakingVariables } } : {}),
    ...(options.smallBase ? { smallBase: options.smallBase } : {}),
    ...(options.confidence !== undefined ? { confidence: options.confidence } : {}),
  }
  return parseAnalysisConfig({ ...derived, ...options.overrides })
}
