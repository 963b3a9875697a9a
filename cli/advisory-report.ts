/**
 * Reading `npm audit --json` (npm 7 and later, auditReportVersion 2) for the advisory check (cli/check-advisories.ts)
 * against the remediation policy in docs/security.md "Vulnerable components" (docs/decisions/026-dependency-advisories.md).
 * Pure functions, so tests/unit/advisory-report.test.ts can feed them recorded answers without the network.
 */

export const SEVERITIES = ['critical', 'high', 'moderate', 'low', 'info'] as const
export type Severity = (typeof SEVERITIES)[number]

/** How soon a fix (or a mitigation, or a recorded risk acceptance) is due, from when the advisory is known. */
export const REMEDIATION: Record<Severity, string> = {
  critical: '2 working days',
  high: '7 days',
  moderate: '30 days',
  low: 'next release',
  info: 'next release',
}

export interface AdvisoryRow {
  name: string
  severity: Severity
  direct: boolean
  /** Advisory titles (with their URLs) or, for a package affected only through another, that package's name. */
  via: string[]
  fix: string
  due: string
}

export type AuditOutcome =
  | { kind: 'checked'; rows: AdvisoryRow[]; counts: Record<Severity, number>; dependencies: number | null }
  | { kind: 'unavailable'; reason: string }

const isSeverity = (value: unknown): value is Severity => typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value)

function fixOf(fixAvailable: unknown): string {
  if (fixAvailable === true) return 'npm audit fix'
  if (fixAvailable && typeof fixAvailable === 'object') {
    const f = fixAvailable as { name?: unknown; version?: unknown; isSemVerMajor?: unknown }
    return `${String(f.name)}@${String(f.version)}${f.isSemVerMajor === true ? ' (major)' : ''}`
  }
  return 'none yet'
}

function viaOf(via: unknown): string[] {
  if (!Array.isArray(via)) return []
  return via.map((v) => {
    if (typeof v === 'string') return `through ${v}`
    const a = v as { title?: unknown; url?: unknown }
    return [a.title, a.url].filter((x) => typeof x === 'string' && x.length > 0).join(' ')
  })
}

/**
 * The outcome of one `npm audit --json` run: its standard output and exit status. npm exits non-zero both when it
 * finds vulnerabilities and when it cannot ask the registry; only a report with `auditReportVersion` counts as a
 * check. Anything else (the registry refused, no network, a timeout) is "unavailable", never "no advisories".
 */
export function readAudit(stdout: string): AuditOutcome {
  let report: unknown
  try {
    report = JSON.parse(stdout)
  } catch {
    return { kind: 'unavailable', reason: stdout.trim() ? 'npm audit did not answer with JSON' : 'npm audit gave no answer' }
  }
  const r = report as {
    auditReportVersion?: unknown
    vulnerabilities?: Record<string, { name?: unknown; severity?: unknown; isDirect?: unknown; via?: unknown; fixAvailable?: unknown }>
    metadata?: { dependencies?: { prod?: unknown; total?: unknown } }
    error?: { summary?: unknown; code?: unknown }
    message?: unknown
  }
  if (r.auditReportVersion !== 2 || !r.vulnerabilities || typeof r.vulnerabilities !== 'object') {
    const reason = [r.message, r.error?.summary, r.error?.code].find((x) => typeof x === 'string' && x.length > 0)
    return { kind: 'unavailable', reason: typeof reason === 'string' ? reason : 'npm audit answered without a report' }
  }
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>
  const rows: AdvisoryRow[] = []
  for (const [key, v] of Object.entries(r.vulnerabilities)) {
    const severity = isSeverity(v.severity) ? v.severity : 'critical' // an unknown severity is treated as the worst
    counts[severity]++
    rows.push({
      name: typeof v.name === 'string' ? v.name : key,
      severity,
      direct: v.isDirect === true,
      via: viaOf(v.via),
      fix: fixOf(v.fixAvailable),
      due: REMEDIATION[severity],
    })
  }
  rows.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.name.localeCompare(b.name))
  const deps = r.metadata?.dependencies
  const dependencies = typeof deps?.prod === 'number' ? deps.prod : typeof deps?.total === 'number' ? deps.total : null
  return { kind: 'checked', rows, counts, dependencies }
}

/** Exit status: 0 nothing at or above `failAt`, 1 something is, 2 the check could not run. */
export function exitCodeOf(outcome: AuditOutcome, failAt: Severity): 0 | 1 | 2 {
  if (outcome.kind === 'unavailable') return 2
  const worst = SEVERITIES.indexOf(failAt)
  return SEVERITIES.some((s, i) => i <= worst && outcome.counts[s] > 0) ? 1 : 0
}

/** A plain-text table, one row per vulnerable package, worst first, with when its remediation is due. */
export function formatAudit(outcome: AuditOutcome): string {
  if (outcome.kind === 'unavailable') return `Could not check the advisories: ${outcome.reason}. This is not a clean result.`
  const summary = SEVERITIES.filter((s) => s !== 'info')
    .map((s) => `${outcome.counts[s]} ${s}`)
    .join(', ')
  const scope = outcome.dependencies === null ? 'production dependencies' : `${outcome.dependencies} production dependencies`
  if (outcome.rows.length === 0) return `No known advisories for the ${scope} (${summary}).`
  const header = ['package', 'severity', 'due', 'fix', 'advisory']
  const lines = outcome.rows.map((r) => [`${r.name}${r.direct ? '' : ' (indirect)'}`, r.severity, r.due, r.fix, r.via.join('; ')])
  const widths = header.map((h, i) => Math.min(48, Math.max(h.length, ...lines.map((l) => l[i]!.length))))
  const row = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [`Advisories for the ${scope}: ${summary}.`, row(header), row(widths.map((w) => '-'.repeat(w))), ...lines.map(row)].join('\n')
}
