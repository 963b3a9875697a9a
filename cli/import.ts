/**
 * npm run import -- --csv responses.csv --config analysis.json --survey SLUG [--create] [--org SLUG]
 *
 * Imports responses from another channel into a survey, through the same validator as web answers. With
 * --create, makes the survey from the configuration first. A file with any invalid row imports nothing; every
 * problem is listed by row and column and the exit code is 1. Uses DATABASE_URL (PostgreSQL) or PGlite.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { closeDatabase, getDb } from '#app/utils/db.server.ts'
import { formatProblem, ImportError, runImport, type ImportPhase } from '#app/services/importer.server.ts'

const USAGE = 'Usage: npm run import -- --csv responses.csv [--config analysis.json] --survey SLUG [--create] [--org SLUG]'

async function main(): Promise<number> {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        csv: { type: 'string' },
        config: { type: 'string' },
        survey: { type: 'string' },
        create: { type: 'boolean', default: false },
        org: { type: 'string', default: 'demo-council' },
        help: { type: 'boolean', default: false },
      },
    }))
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`)
    return 2
  }
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  if (!values.csv || !values.survey) {
    console.error(USAGE)
    return 2
  }
  const csv = readFileSync(values.csv)
  const config = values.config ? (JSON.parse(readFileSync(values.config, 'utf8')) as unknown) : undefined
  const started = performance.now()
  const tty = process.stderr.isTTY
  let lastShown = 0
  const onProgress = (phase: ImportPhase, done: number, total: number) => {
    const now = performance.now()
    if (phase !== 'done' && done !== total && now - lastShown < 200) return
    lastShown = now
    const line = `${phase} ${done.toLocaleString('en-GB')}/${total.toLocaleString('en-GB')}`
    if (tty) process.stderr.write(`\r${line.padEnd(40)}${done === total ? '\n' : ''}`)
    else process.stderr.write(`${line}\n`)
  }
  try {
    const db = await getDb()
    const report = await runImport(db, { csv, config, slug: values.survey, organisationSlug: values.org, create: values.create, onProgress })
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    if (!report.ok) {
      console.error(`Nothing was imported: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} in ${report.rows} rows.`)
      for (const p of report.problems) console.error(`  ${formatProblem(p)}`)
      return 1
    }
    console.log(
      `Imported ${report.inserted.toLocaleString('en-GB')} responses into "${report.slug}"${report.created ? ' (new survey)' : ''} in ${seconds} s` +
        `${report.skipped > 0 ? `; ${report.skipped.toLocaleString('en-GB')} were already there` : ''}. Waves: ${report.waves.join(', ')}.`,
    )
    return 0
  } catch (error) {
    if (error instanceof ImportError) {
      console.error(error.message)
      return 1
    }
    throw error
  } finally {
    await closeDatabase()
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  },
)
