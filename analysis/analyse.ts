import type { AnalysisAggregates } from './aggregates'
import { buildInsightReport } from './insight-report'
import { oracleLayout, type AnalysisResults } from './oracle-layout'
import type { AnalysisConfig } from './parse-analysis-config'
import type { Population } from './parse-population'

export type { AnalysisResults } from './oracle-layout'

/**
 * The whole analysis of a set of counts in the oracle's results.json layout: the insight report
 * (analysis/insight-report.ts), weighted when a population and a raking section are given, rendered by
 * {@link oracleLayout}. This is what `npm run analyse` prints.
 *
 * Reference: R 4.2.2 `stats` + survey 4.1.1, as documented in tests/fixtures/oracle-public/README.md.
 *
 * @param aggregates counts (from SQL or countAggregatesFromRows).
 * @param config validated configuration.
 * @param population population margins for raking (optional).
 * @returns the results.
 * @throws if weighting was asked for (a population and config.raking) and is not possible (a sample level
 *   absent from the population, a population level without respondents), with the reason.
 * @example
 * analyse(countAggregatesFromRows(rows, config), config, population).weighted?.overall.all.all.se_raked
 */
export function analyse(
  aggregates: AnalysisAggregates,
  config: AnalysisConfig,
  population?: Population | null,
): AnalysisResults {
  const weighted = !!population && !!config.raking
  if (weighted) {
    // As R's rake() does, refuse a respondent whose level the population does not list (the app instead
    // leaves such respondents out of the weighted figures and says so: analysis/split-aggregates.ts).
    const variables = aggregates.rakingVariables
    for (const cell of aggregates.cells) {
      cell.rakingCell.forEach((level, v) => {
        const variable = variables[v]!
        if (!(level in (population!.margins[variable] ?? {})))
          throw new Error(`analyse: sample level "${level}" of ${variable} is absent from the population`)
      })
    }
  }
  const report = buildInsightReport({ aggregates, config, population: population ?? null, weighted })
  if (weighted && report.weightingProblem) throw new Error(`analyse: ${report.weightingProblem}`)
  return oracleLayout(report)
}
