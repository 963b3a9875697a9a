import { pageScripts } from './page-scripts.ts'
import { startTestServer } from '../../tests/support/server.ts'

/**
 * JavaScript on the respondent page (issue 13: at most 150 KB gzip). Starts the production build on a fresh
 * database with the demo survey, fetches /s/demo and sums every script that page loads (page-scripts.ts).
 * Run after `npm run build`: `npx tsx bench/respondent-js/run.ts`.
 */
const BUDGET_KB = 150
const server = await startTestServer()
try {
  const html = await (await fetch(`${server.url}/s/demo`)).text()
  const scripts = pageScripts(html)
  const kb = (n: number) => (n / 1024).toFixed(1)
  console.log('| script | how it loads | raw KB | gzip KB |')
  console.log('|---|---|---|---|')
  for (const s of scripts.sort((a, b) => b.gzip - a.gzip)) console.log(`| ${s.file} | ${s.how} | ${kb(s.raw)} | ${kb(s.gzip)} |`)
  const raw = scripts.reduce((n, s) => n + s.raw, 0)
  const gzip = scripts.reduce((n, s) => n + s.gzip, 0)
  console.log(`| **total (${scripts.length} files)** | | ${kb(raw)} | ${kb(gzip)} |`)
  console.log(`\nbudget ${BUDGET_KB} KB gzip: ${gzip / 1024 <= BUDGET_KB ? 'met' : 'OVER'}; SurveyJS code on the page: ${scripts.some((s) => s.surveyJs) ? 'yes' : 'none'}`)
} finally {
  await server.stop()
}
