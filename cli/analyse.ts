import { readFileSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { analyse } from '#analysis/analyse.ts'
import { countAggregatesFromRows } from '#analysis/count-aggregates-from-rows.ts'
import { parseAnalysisConfig, type AnalysisConfig } from '#analysis/parse-analysis-config.ts'
import { parsePopulation, type Population } from '#analysis/parse-population.ts'
import { readResponsesCsv } from '#analysis/read-responses-csv.ts'
import type { AnalysisAggregates } from '#analysis/aggregates.ts'

const USAGE =
  'usage: analyse --csv responses.csv --config analysis.json [--population population.json] [--weights-out weights.csv]'

/** Streams used by {@link main}; tests pass in-memory ones. */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
}

/** A source of aggregates: the CSV path here; a database path (`--survey SLUG`) can be added beside it. */
interface AggregateSource {
  aggregates: AnalysisAggregates
  /** per respondent id, the raking cell (for --weights-out) */
  respondents: Array<{ id: string; rakingCell: string[] }>
}

class UsageError extends Error {}

/**
 * The `analyse` command: reads responses (CSV), configuration and optional population, runs {@link analyse}
 * and prints results.json to stdout. Bad input gives a message on stderr naming the problem and exit code 2.
 *
 * Reference: issue 3 "The analyse command".
 *
 * @param argv arguments after the script name.
 * @param io output streams.
 * @returns the exit code (0 ok, 2 bad input).
 * @example
 * main(['--csv', 'responses.csv', '--config', 'analysis.json'], { stdout: console.log, stderr: console.error })
 */
export function main(argv: ReadonlyArray<string>, io: CliIo): number {
  try {
    const options = parseArgs(argv)
    if (options.help) {
      io.stdout(USAGE + '\n')
      return 0
    }
    const config = parseAnalysisConfig(readJson(options.config, 'config'))
    const population: Population | null = options.population
      ? parsePopulation(readJson(options.population, 'population'))
      : null
    if (population && config.raking) {
      for (const v of config.raking.variables) {
        if (!population.margins[v]) throw new Error(`population has no margin for raking variable "${v}"`)
      }
    }
    const source = csvSource(options.csv, config)
    const results = analyse(source.aggregates, config, population)
    if (options.weightsOut) {
      if (!results.cell_weights)
        throw new Error('--weights-out needs --population and a raking section in the config')
      const weightOf = new Map(results.cell_weights.map((c) => [c.rakingCell.join('\u0001'), c.weight]))
      const lines = ['respondent_id,weight']
      for (const r of source.respondents)
        lines.push(`${csvField(r.id)},${String(weightOf.get(r.rakingCell.join('\u0001')))}`)
      writeFileSync(options.weightsOut, lines.join('\r\n') + '\r\n')
    }
    const { cell_weights: _cellWeights, ...output } = results
    io.stdout(
      JSON.stringify(
        output,
        (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
        2,
      ) + '\n',
    )
    return 0
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    io.stderr(`analyse: ${message}\n${error instanceof UsageError ? USAGE + '\n' : ''}`)
    return 2
  }
}

function parseArgs(argv: ReadonlyArray<string>): {
  csv: string
  config: string
  population?: string
  weightsOut?: string
  help: boolean
} {
  const values: Record<string, string> = {}
  let help = false
  const known = new Set(['--csv', '--config', '--population', '--weights-out'])
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!
    if (arg === '--help' || arg === '-h') {
      help = true
      continue
    }
    let value: string | undefined
    const eq = arg.indexOf('=')
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1)
      arg = arg.slice(0, eq)
    }
    if (!known.has(arg)) throw new UsageError(`unknown flag "${arg}"`)
    if (value === undefined) {
      value = argv[i + 1]
      i++
    }
    if (value === undefined || value === '' || value.startsWith('--'))
      throw new UsageError(`${arg} needs a value`)
    if (arg in values) throw new UsageError(`${arg} given twice`)
    values[arg] = value
  }
  if (help) return { csv: '', config: '', help }
  if (!values['--csv']) throw new UsageError('--csv is required')
  if (!values['--config']) throw new UsageError('--config is required')
  return {
    csv: values['--csv'],
    config: values['--config'],
    ...(values['--population'] ? { population: values['--population'] } : {}),
    ...(values['--weights-out'] ? { weightsOut: values['--weights-out'] } : {}),
    help,
  }
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new Error(
      `cannot read ${what} file "${path}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    )
  }
}

function readJson(path: string, what: string): unknown {
  const text = readText(path, what)
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new Error(`${what} file "${path}" is not valid JSON: ${(error as Error).message}`)
  }
}

function csvSource(path: string, config: AnalysisConfig): AggregateSource {
  const text = readText(path, 'CSV')
  const rows = readResponsesCsv(text, config)
  const rakingVariables = config.raking?.variables ?? []
  return {
    aggregates: countAggregatesFromRows(rows, config),
    respondents: rows.map((r) => ({
      id: String(r[config.id] ?? ''),
      rakingCell: rakingVariables.map((v) => String(r[v] ?? '')),
    })),
  }
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value
}

/**
 * `npm run --silent analyse -- …`: one command, two sources of the same statistics.
 *   --survey SLUG  → cli/analyse-survey.ts (the insight report from the database, as the dashboard loads it)
 *   --csv FILE     → {@link main} above (counts made from the CSV rows)
 * The database path is loaded only when asked for, so the CSV path runs without opening a database.
 *
 * @param argv arguments after the script name.
 * @param io output streams.
 * @returns the exit code.
 */
export async function run(argv: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const wantsSurvey = argv.some((a) => a === '--survey' || a.startsWith('--survey='))
  if (!wantsSurvey) return main(argv, io)
  const survey = await import('./analyse-survey.ts')
  return survey.main(argv, io)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await run(process.argv.slice(2), {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
  })
}
