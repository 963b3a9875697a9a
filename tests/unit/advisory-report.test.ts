import { describe, expect, it } from 'vitest'
import { exitCodeOf, formatAudit, readAudit, REMEDIATION } from '../../cli/advisory-report.ts'

/*
 * The advisory check (cli/check-advisories.ts) reads `npm audit --json` and applies the remediation policy in
 * docs/security.md "Vulnerable components". These are answers in npm's format (auditReportVersion 2, as npm 7 and
 * later write it), so the test needs no network.
 */

const report = (vulnerabilities: Record<string, unknown>, counts: Partial<Record<string, number>> = {}) =>
  JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities,
    metadata: {
      vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0, ...counts },
      dependencies: { prod: 281, dev: 402, optional: 20, peer: 0, peerOptional: 0, total: 683 },
    },
  })

const withFindings = report({
  'path-to-regexp': {
    name: 'path-to-regexp',
    severity: 'high',
    isDirect: false,
    via: [
      {
        source: 1101850,
        name: 'path-to-regexp',
        dependency: 'path-to-regexp',
        title: 'path-to-regexp outputs backtracking regular expressions',
        url: 'https://github.com/advisories/GHSA-9wv6-86v2-598j',
        severity: 'high',
        range: '<0.1.10',
      },
    ],
    effects: ['express'],
    range: '<0.1.10',
    nodes: ['node_modules/path-to-regexp'],
    fixAvailable: { name: 'express', version: '4.21.2', isSemVerMajor: false },
  },
  express: {
    name: 'express',
    severity: 'high',
    isDirect: true,
    via: ['path-to-regexp'],
    effects: [],
    range: '<=4.21.0',
    nodes: ['node_modules/express'],
    fixAvailable: { name: 'express', version: '4.21.2', isSemVerMajor: false },
  },
  cookie: {
    name: 'cookie',
    severity: 'low',
    isDirect: false,
    via: [{ title: 'cookie accepts cookie name, path, and domain with out of bounds characters', url: 'https://github.com/advisories/GHSA-pxg6-pf52-xh8x', severity: 'low' }],
    fixAvailable: true,
  },
})

describe('the advisory check', () => {
  it('lists each vulnerable package worst first, with the fix and when it is due under the policy', () => {
    const outcome = readAudit(withFindings)
    expect(outcome.kind).toBe('checked')
    if (outcome.kind !== 'checked') return
    expect(outcome.counts).toMatchObject({ critical: 0, high: 2, moderate: 0, low: 1 })
    expect(outcome.rows.map((r) => [r.name, r.severity, r.due, r.fix])).toEqual([
      ['express', 'high', '7 days', 'express@4.21.2'],
      ['path-to-regexp', 'high', '7 days', 'express@4.21.2'],
      ['cookie', 'low', 'next release', 'npm audit fix'],
    ])
    const table = formatAudit(outcome)
    expect(table).toContain('281 production dependencies: 0 critical, 2 high, 0 moderate, 1 low')
    expect(table).toContain('GHSA-9wv6-86v2-598j')
    expect(table).toMatch(/path-to-regexp \(indirect\)\s+high\s+7 days/)
    expect(table).toMatch(/express\s+high\s+7 days\s+express@4\.21\.2\s+through path-to-regexp/)
  })

  it('fails at high by default, and at the threshold chosen', () => {
    const outcome = readAudit(withFindings)
    expect(exitCodeOf(outcome, 'high')).toBe(1)
    expect(exitCodeOf(outcome, 'critical')).toBe(0)
    expect(exitCodeOf(outcome, 'low')).toBe(1)
    const lowOnly = readAudit(report({ cookie: { name: 'cookie', severity: 'low', isDirect: false, via: [], fixAvailable: false } }))
    expect(exitCodeOf(lowOnly, 'high')).toBe(0)
    expect(exitCodeOf(lowOnly, 'moderate')).toBe(0)
    expect(exitCodeOf(lowOnly, 'low')).toBe(1)
    expect(formatAudit(lowOnly)).toMatch(/cookie \(indirect\)\s+low\s+next release\s+none yet/)
  })

  it('treats an unknown severity as critical', () => {
    const odd = readAudit(report({ left: { name: 'left', severity: 'severe', via: [] } }))
    expect(exitCodeOf(odd, 'critical')).toBe(1)
  })

  it('says so when there is nothing to report', () => {
    const clean = readAudit(report({}))
    expect(exitCodeOf(clean, 'low')).toBe(0)
    expect(formatAudit(clean)).toBe('No known advisories for the 281 production dependencies (0 critical, 0 high, 0 moderate, 0 low).')
  })

  it('never takes a refused or missing answer for a clean one', () => {
    // What npm printed here when the registry refused the bulk advisory request.
    const refused = JSON.stringify({
      message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
      method: 'POST',
      statusCode: 405,
      body: '',
      error: { summary: '', detail: '' },
    })
    for (const answer of [refused, '', 'npm ERR! network', JSON.stringify({ error: { code: 'ENOTFOUND', summary: 'getaddrinfo ENOTFOUND registry.npmjs.org' } })]) {
      const outcome = readAudit(answer)
      expect(outcome.kind).toBe('unavailable')
      expect(exitCodeOf(outcome, 'critical')).toBe(2)
      expect(formatAudit(outcome)).toMatch(/^Could not check the advisories: .+\. This is not a clean result\.$/)
    }
    expect(formatAudit(readAudit(refused))).toContain('405 Method Not Allowed')
  })

  it('has a time frame for every severity, tightest for the worst', () => {
    expect(REMEDIATION).toEqual({ critical: '2 working days', high: '7 days', moderate: '30 days', low: 'next release', info: 'next release' })
  })
})
