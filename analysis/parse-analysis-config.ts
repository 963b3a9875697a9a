import { z } from 'zod'

const scaleValues = z.array(z.number().int()).min(1)

const configSchema = z
  .object({
    id: z.string().min(1),
    wave: z.string().min(1),
    ratings: z.array(z.string().min(1)).min(1),
    overall: z.string().min(1),
    drivers: z.array(z.string().min(1)),
    segments: z.array(z.string().min(1)),
    scale: z.object({
      satisfied: scaleValues,
      neither: z.array(z.number().int()),
      dissatisfied: scaleValues,
    }),
    raking: z
      .object({
        variables: z.array(z.string().min(1)).min(1),
        epsilon: z.number().positive().default(1e-10),
        maxPasses: z.number().int().positive().default(1000),
        cap: z.number().gt(1).optional(),
      })
      .optional(),
    confidence: z.number().gt(0).lt(1).default(0.95),
    sampleSize: z
      .object({
        margins: z.array(z.number().gt(0).lt(1)).min(1),
        populations: z.array(z.number().int().positive().nullable()).min(1),
        p: z.number().min(0).max(1).default(0.5),
      })
      .optional(),
    smallBase: z
      .object({
        lowBase: z.number().int().nonnegative().default(50),
        suppress: z.number().int().nonnegative().default(10),
      })
      .default({ lowBase: 50, suppress: 10 }),
    waves: z.array(z.string().min(1)).optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.ratings.includes(c.overall))
      ctx.addIssue({ code: 'custom', message: `overall "${c.overall}" must be one of the ratings` })
    for (const d of c.drivers) {
      if (!c.ratings.includes(d))
        ctx.addIssue({ code: 'custom', message: `driver "${d}" must be one of the ratings` })
      if (d === c.overall)
        ctx.addIssue({ code: 'custom', message: `driver "${d}" cannot be the overall rating` })
    }
    const all = [...c.scale.satisfied, ...c.scale.neither, ...c.scale.dissatisfied]
    if (new Set(all).size !== all.length)
      ctx.addIssue({ code: 'custom', message: 'scale: a value is in more than one category' })
    if (c.segments.includes('all') || c.segments.includes('wave'))
      ctx.addIssue({ code: 'custom', message: 'segments cannot be named "all" or "wave"' })
    if (c.smallBase.suppress > c.smallBase.lowBase)
      ctx.addIssue({ code: 'custom', message: 'smallBase.suppress must not exceed smallBase.lowBase' })
  })

/** Validated analysis configuration (the format of the oracle's analysis.json, extended). */
export type AnalysisConfig = z.infer<typeof configSchema>

/**
 * Validates an analysis configuration (the oracle's analysis.json format) and fills defaults.
 *
 * Fields: id, wave (column names), ratings, overall, drivers, segments, scale (satisfied / neither /
 * dissatisfied values), raking { variables, epsilon (< 1 = relative to n, R's rule), maxPasses, cap? },
 * confidence (default 0.95), sampleSize { margins, populations (null = infinite), p = 0.5 },
 * smallBase { lowBase = 50, suppress = 10 } (organisation settings), waves (optional chronological order).
 *
 * Reference: zod schema; PRODUCT.md §4.
 *
 * @param input parsed JSON.
 * @returns the configuration with defaults.
 * @throws Error naming the first invalid field.
 * @example
 * parseAnalysisConfig(JSON.parse(fs.readFileSync('analysis.json', 'utf8'))).confidence // 0.95
 */
export function parseAnalysisConfig(input: unknown): AnalysisConfig {
  const result = configSchema.safeParse(input)
  if (!result.success) {
    const issue = result.error.issues[0]
    const path = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
    throw new Error(
      `parseAnalysisConfig: invalid configuration: ${path}${issue?.message ?? 'unknown problem'}`,
    )
  }
  return result.data
}
