import { z } from 'zod'

const populationSchema = z.object({
  total: z.number().positive(),
  margins: z.record(z.string(), z.record(z.string(), z.number().nonnegative())),
  case: z.string().optional(),
  description: z.string().optional(),
})

/** Known population counts: one margin per raking variable, each summing to total. */
export type Population = z.infer<typeof populationSchema>

/**
 * Validates population counts (the oracle's population.json format): `total` and
 * `margins[variable][level]` counts; each margin should sum to total.
 *
 * Reference: oracle README "population.json".
 *
 * @param input parsed JSON.
 * @returns the population.
 * @throws Error naming the invalid field, or a margin whose sum differs from total.
 * @example
 * parsePopulation({ total: 10, margins: { sex: { f: 6, m: 4 } } }).total // 10
 */
export function parsePopulation(input: unknown): Population {
  const result = populationSchema.safeParse(input)
  if (!result.success) {
    const issue = result.error.issues[0]
    const path = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
    throw new Error(`parsePopulation: invalid population: ${path}${issue?.message ?? 'unknown problem'}`)
  }
  for (const [variable, margin] of Object.entries(result.data.margins)) {
    const sum = Object.values(margin).reduce((a, b) => a + b, 0)
    if (Math.abs(sum - result.data.total) > 1e-9 * result.data.total) {
      throw new Error(
        `parsePopulation: margin "${variable}" sums to ${sum}, not to total ${result.data.total}`,
      )
    }
  }
  return result.data
}
