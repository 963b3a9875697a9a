import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSession } from '#app/utils/auth.server.ts'
import * as dashboardRoute from '#app/routes/app.surveys.$surveyId.dashboard.tsx'
import * as exportsRoute from '#app/routes/app.surveys.$surveyId.exports.tsx'
import * as downloadRoute from '#app/routes/app.surveys.$surveyId.exports.download.ts'
import { loadExportContext } from '#app/services/export-context.server.ts'
import { buildExportTables } from '#app/services/export-tables.server.ts'
import { listExportAudit } from '#db/queries/exports.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'

/*
 * Two loose ends of issue 11 at the route level: a date filter that is not a calendar day is a 400 that says
 * so (not a 500 from db/queries/aggregates.ts, not silently ignored); and the exports page lists exactly the
 * tables the download builds from the report, so a survey without key drivers offers no key-drivers CSV.
 */

const origin = 'http://localhost'

async function settle(
  call: () => Promise<unknown>,
): Promise<{ status: number; body: string; data: unknown }> {
  try {
    const result = await call()
    if (result instanceof Response) return { status: result.status, body: await result.text(), data: null }
    return { status: 200, body: '', data: result }
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, body: await thrown.text(), data: null }
    throw thrown
  }
}

describe('dashboard and exports routes', () => {
  let test: TestDatabase
  let tenant: Tenant
  let cookie: string

  beforeAll(async () => {
    test = await createTestDatabase()
    installAsAppDatabase(test)
    tenant = await createTenant(test.db, 'Routes')
    cookie = (await startSession(tenant.users.analyst.id, tenant.organisationId)).split(';')[0]!
  })
  afterAll(async () => {
    await test?.close()
  })

  const dashboard = (query: string) =>
    settle(() =>
      dashboardRoute.loader({
        request: new Request(`${origin}/app/surveys/${tenant.surveyId}/dashboard${query}`, {
          headers: { Cookie: cookie },
        }),
        params: { surveyId: tenant.surveyId },
        context: { cspNonce: '' },
      }),
    )

  it.each([
    ['?from=2026-13-45', /"from" date is not a day of the calendar/],
    ['?to=2026-02-30', /"to" date is not a day of the calendar/],
    ['?from=yesterday', /"from" date must be written as YYYY-MM-DD/],
    ['?from=2026-04-02&to=2026-04-01', /"from" date is after the "to" date/],
  ])('refuses the date filter %s with a 400 that says why', async (query, message) => {
    const outcome = await dashboard(query)
    expect(outcome.status).toBe(400)
    expect(outcome.body).toMatch(message)
  })

  it('accepts real days, one day, and empty date fields', async () => {
    for (const query of [
      '?from=2024-02-29&to=2026-12-31',
      '?from=2026-04-01&to=2026-04-01',
      '?from=&to=',
      '',
    ]) {
      const outcome = await dashboard(query)
      expect(outcome.status, query).toBe(200)
    }
  })

  it('lists on the exports page exactly the tables the download builds, and each of them downloads', async () => {
    const page = await settle(() =>
      exportsRoute.loader({
        request: new Request(`${origin}/app/surveys/${tenant.surveyId}/exports`, {
          headers: { Cookie: cookie },
        }),
        params: { surveyId: tenant.surveyId },
        context: { cspNonce: '' },
      }),
    )
    expect(page.status).toBe(200)
    const listed = (page.data as { tables: Array<{ id: string }> }).tables.map((t) => t.id)
    const ctx = await loadExportContext(test.db, tenant.organisationId, tenant.surveyId)
    // The fixture has one response: too few for key drivers, so the report has none, and no weighting.
    expect(ctx!.insight.report.keyDrivers).toBeNull()
    expect(listed).not.toContain('key-drivers')
    expect(listed).toEqual(buildExportTables(ctx!).map((t) => t.id))
    expect(listed).toContain('dashboard')
    const downloadCsv = (table: string) =>
      settle(() =>
        downloadRoute.action({
          request: new Request(`${origin}/app/surveys/${tenant.surveyId}/exports/download`, {
            method: 'POST',
            headers: { Cookie: cookie, Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ kind: 'table-csv', table }),
          }),
          params: { surveyId: tenant.surveyId },
          context: { cspNonce: '' },
        }),
      )
    for (const table of listed) expect((await downloadCsv(table)).status, table).toBe(200)
    // What the page used to offer unconditionally is refused by the download: the list must not offer it.
    const refused = await downloadCsv('key-drivers')
    expect(refused.status).toBe(400)
  })

  it("downloads the PDF evidence pack, audited, and only for the organisation's own survey", async () => {
    const request = (surveyId: string) =>
      downloadRoute.action({
        request: new Request(`${origin}/app/surveys/${surveyId}/exports/download`, {
          method: 'POST',
          headers: { Cookie: cookie, Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ kind: 'pdf' }),
        }),
        params: { surveyId },
        context: { cspNonce: '' },
      })
    // one response: every figure is too few to report, and the PDF still says so rather than failing
    const response = (await request(tenant.surveyId)) as Response
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('application/pdf')
    expect(response.headers.get('Content-Disposition')).toMatch(/^attachment; filename="[A-Za-z0-9._-]+-evidence-pack\.pdf"$/)
    const bytes = new Uint8Array(await response.arrayBuffer())
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-')
    const audit = await listExportAudit(test.db, tenant.organisationId, tenant.surveyId, 5)
    expect(audit.map((a) => a.action)).toContain('export.pdf')
    // another organisation's survey is not found, whoever asks
    const other = await createTenant(test.db, 'Other')
    expect((await settle(() => request(other.surveyId))).status).toBe(404)
  }, 180_000)
})
