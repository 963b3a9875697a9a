/*
 * `npm run --silent analyse -- …`: one command, two sources of the same statistics.
 *   --survey SLUG  → db/analyse-survey.ts (counts made by PostgreSQL, as the dashboard does)
 *   --csv FILE     → analysis/cli/analyse.ts (counts made from the CSV rows)
 * The analysis CLI stays free of db/ imports; this wrapper is the only place that knows both.
 */
const argv = process.argv.slice(2)
const io = { stdout: (t: string) => void process.stdout.write(t), stderr: (t: string) => void process.stderr.write(t) }
const wantsSurvey = argv.some((a) => a === '--survey' || a.startsWith('--survey='))
if (wantsSurvey) {
  const { main } = await import('../db/analyse-survey.ts')
  process.exitCode = await main(argv, io)
} else {
  const { main } = await import('../analysis/cli/analyse.ts')
  process.exitCode = main(argv, io)
}
export {}
