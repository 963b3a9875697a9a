/**
 * npm run advisories [-- --fail-at=critical|high|moderate|low]
 *
 * Asks the npm registry for known advisories against the production dependencies (`npm audit --omit=dev`), prints
 * them as a table with when each is due under the remediation policy (docs/security.md "Vulnerable components",
 * docs/decisions/026-dependency-advisories.md), and exits:
 *   0  nothing at or above --fail-at (default high);
 *   1  something at or above it: fix it within the policy's time frame;
 *   2  the check could not run (no network, the registry refused, 20 s passed): not a clean result.
 * .ci/run runs it as an informational step (it prints, and never fails the run).
 */
import { spawn } from 'node:child_process'
import { parseArgs } from 'node:util'
import { exitCodeOf, formatAudit, readAudit, SEVERITIES, type Severity } from './advisory-report.ts'

const TIMEOUT_MS = 20_000

function runAudit(): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['audit', '--omit=dev', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
    const timer = setTimeout(() => child.kill('SIGTERM'), TIMEOUT_MS)
    child.on('close', () => {
      clearTimeout(timer)
      resolve(out)
    })
    child.on('error', () => {
      clearTimeout(timer)
      resolve('')
    })
  })
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'fail-at': { type: 'string', default: 'high' } }, strict: true })
  const failAt = values['fail-at']
  if (!(SEVERITIES as readonly string[]).includes(failAt)) {
    console.error(`--fail-at must be one of ${SEVERITIES.join(', ')}`)
    return 2
  }
  const outcome = readAudit(await runAudit())
  console.log(formatAudit(outcome))
  const code = exitCodeOf(outcome, failAt as Severity)
  if (code === 1) console.log(`Some advisories are ${failAt} or worse: see the "due" column, and docs/security.md "Vulnerable components".`)
  return code
}

process.exitCode = await main()
