import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { parseCsv } from '#analysis/parse-csv.ts'
import { rowsOf } from '#db/client.ts'
import { listAudit } from '#db/queries/accounts.ts'
import { checkAggregateTotals } from '#db/queries/aggregates-maintenance.ts'
import { findResponseByReceipt, normaliseReceipt } from '#db/queries/data-rights.ts'
import { countResponses, storeResponse } from '#db/queries/responses.ts'
import { loadExportContext } from '#app/services/export-context.server.ts'
import { microdataStream } from '#app/services/export-microdata.server.ts'
import { action as responseAction, loader as responseLoader } from '#app/routes/app.responses.$responseId.tsx'
import { loader as searchLoader } from '#app/routes/app.responses.tsx'
import { action as exportAction, loader as exportLoader } from '#app/routes/app.responses.$responseId.export.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'

/*
 * A customer's data rights (issue 12; PRODUCT.md §5): staff find a response by the receipt the customer was
 * shown, export it (subject access, JSON and CSV, formula-neutralised) and an admin erases it; both audited;
 * afterwards no table, aggregate or later export holds a trace of it.
 */

let test: TestDatabase
let t: Tenant
let other: Tenant
const cookies: Record<string, string> = {}
const origin = 'http://localhost'
const COMMENT = '=HYPERLINK("http://evil.example","click") canary-7f3a'
let receipt: string
let responseId: string

type Role = 'viewer' | 'analyst' | 'admin'

async function settle(call: () => Promise<unknown>): Promise<{ status: number; body: string; headers: Headers | null; data: unknown }> {
  let result: unknown
  try {
    result = await call()
  } catch (thrown) {
    result = thrown
  }
  if (result instanceof Response) return { status: result.status, body: await result.text(), headers: result.headers, data: null }
  if (result && typeof result === 'object' && (result as { type?: string }).type === 'DataWithResponseInit') {
    const d = result as { data: unknown; init: ResponseInit | null }
    return { status: d.init?.status ?? 200, body: JSON.stringify(d.data), headers: null, data: d.data }
  }
  if (result instanceof Error) throw result
  return { status: 200, body: JSON.stringify(result), headers: null, data: result }
}

const search = (tenant: Tenant, role: Role, typed: string) =>
  settle(() =>
    searchLoader({
      request: new Request(`${origin}/app/responses?receipt=${encodeURIComponent(typed)}`, { headers: { Cookie: cookies[`${tenant.label}.${role}`]! } }),
      params: {},
      context: {},
    }),
  )

const act = (tenant: Tenant, role: Role, id: string, body: Record<string, string>) =>
  settle(() =>
    responseAction({
      request: new Request(`${origin}/app/responses/${id}`, {
        method: 'POST',
        headers: { Cookie: cookies[`${tenant.label}.${role}`]!, Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      }),
      params: { responseId: id },
      context: {},
    }),
  )

const download = (tenant: Tenant, role: Role, id: string, format: string) =>
  settle(() =>
    exportAction({
      request: new Request(`${origin}/app/responses/${id}/export`, {
        method: 'POST',
        headers: { Cookie: cookies[`${tenant.label}.${role}`]!, Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ format }),
      }),
      params: { responseId: id },
      context: {},
    }),
  )

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  t = await createTenant(test.db, 'Rights')
  other = await createTenant(test.db, 'Elsewhere')
  for (const tenant of [t, other])
    for (const role of ['viewer', 'analyst', 'admin'] as const)
      cookies[`${tenant.label}.${role}`] = (await startSession(tenant.users[role].id, tenant.organisationId)).split(';')[0]!
  const stored = await storeResponse(test.db, {
    organisationId: t.organisationId,
    surveyId: t.surveyId,
    surveyVersionId: t.versionId,
    clientId: crypto.randomUUID(),
    wave: '2026',
    answers: { overall: 2, improve: COMMENT },
    segments: {},
    source: 'web',
  })
  if (stored.status !== 'created') throw new Error('not stored')
  receipt = stored.receipt
  responseId = stored.responseId
})
afterAll(async () => {
  await test?.close()
})

describe('finding a response by its receipt', () => {
  it('reads the receipt as people type it', () => {
    expect(normaliseReceipt('k7qm 2xhd 9a')).toBe('K7QM-2XHD-9A')
    expect(normaliseReceipt('K7QM-2XHD-9A')).toBe('K7QM-2XHD-9A')
    expect(normaliseReceipt('O1IL-0000-00')).toBe('0111-0000-00')
    expect(normaliseReceipt('K7QM-2XHD')).toBeNull()
    expect(normaliseReceipt('K7QM-2XHD-9U')).toBeNull() // U is not in the receipt alphabet
  })

  it('an analyst or admin finds it; a viewer may not look; another organisation finds nothing', async () => {
    for (const role of ['analyst', 'admin'] as const) {
      const found = await search(t, role, receipt.toLowerCase().replace(/-/g, ' '))
      expect(found.status).toBe(200)
      expect((found.data as { found: { id: string } }).found.id).toBe(responseId)
    }
    expect((await search(t, 'viewer', receipt)).status).toBe(403)
    const elsewhere = await search(other, 'admin', receipt)
    expect(elsewhere.status).toBe(200)
    expect((elsewhere.data as { found: unknown }).found).toBeNull()
    expect(elsewhere.body).not.toContain(responseId)
    expect(await findResponseByReceipt(test.db, other.organisationId, receipt)).toBeNull()
  })

  it('shows the response as stored; another organisation’s admin gets 404', async () => {
    const page = await settle(() =>
      responseLoader({ request: new Request(`${origin}/app/responses/${responseId}`, { headers: { Cookie: cookies[`${t.label}.analyst`]! } }), params: { responseId }, context: {} }),
    )
    expect(page.status).toBe(200)
    expect(page.data).toMatchObject({ canErase: false, document: { receipt, answers: { overall: 2, improve: COMMENT } } })
    const cross = await settle(() =>
      responseLoader({ request: new Request(`${origin}/app/responses/${responseId}`, { headers: { Cookie: cookies[`${other.label}.admin`]! } }), params: { responseId }, context: {} }),
    )
    expect(cross.status).toBe(404)
  })
})

describe('subject access export', () => {
  it('JSON: everything stored about the response, audited', async () => {
    const res = await download(t, 'analyst', responseId, 'json')
    expect(res.status).toBe(200)
    expect(res.headers!.get('Content-Disposition')).toBe(`attachment; filename="response-${receipt}.json"`)
    const doc = JSON.parse(res.body) as Record<string, unknown>
    expect(doc).toMatchObject({ receipt, answers: { overall: 2, improve: COMMENT }, survey: { title: t.surveyTitle } })
    const [entry] = await listAudit(test.db, t.organisationId, { action: 'response.exported' })
    expect(entry).toMatchObject({ targetId: responseId, details: { format: 'json', surveyId: t.surveyId }, userEmail: t.users.analyst.email })
  })

  it('CSV: quoted, with formula-like answers neutralised, parsed back to the same values', async () => {
    const res = await download(t, 'admin', responseId, 'csv')
    expect(res.status).toBe(200)
    expect(res.headers!.get('Content-Type')).toMatch(/^text\/csv/)
    const [header, ...rows] = parseCsv(res.body.replace(/^\uFEFF/, ''))
    expect(header).toEqual(['item', 'name', 'value'])
    const improve = rows.find((r) => r[0] === 'answer' && r[1] === 'improve')
    expect(improve?.[2]).toBe(`'${COMMENT}`)
    expect(rows.find((r) => r[0] === 'receipt')?.[2]).toBe(receipt)
    expect(res.body.split('\r\n').filter(Boolean).every((line) => line.startsWith('"') || line.startsWith('\uFEFF"'))).toBe(true)
    expect(await listAudit(test.db, t.organisationId, { action: 'response.exported' })).toHaveLength(2)
  })

  it('a viewer may not export it (403); a GET is refused (405); an unknown format is 400', async () => {
    expect((await download(t, 'viewer', responseId, 'json')).status).toBe(403)
    expect((await download(t, 'admin', responseId, 'xml')).status).toBe(400)
    const get = await settle(() =>
      exportLoader({ request: new Request(`${origin}/app/responses/${responseId}/export`, { headers: { Cookie: cookies[`${t.label}.admin`]! } }), params: { responseId }, context: {} }),
    )
    expect(get.status).toBe(405)
    expect(await listAudit(test.db, t.organisationId, { action: 'response.exported' })).toHaveLength(2)
  })

  it('another organisation cannot export it (404), and no audit entry is written for it', async () => {
    const res = await download(other, 'admin', responseId, 'json')
    expect(res.status).toBe(404)
    expect(res.body).not.toContain('canary-7f3a')
    expect(await listAudit(test.db, other.organisationId, { action: 'response.exported' })).toEqual([])
  })
})

describe('erasure', () => {
  it('analysts may not erase; a wrong receipt confirmation erases nothing', async () => {
    expect((await act(t, 'analyst', responseId, { intent: 'erase', confirmReceipt: receipt })).status).toBe(403)
    expect((await act(other, 'admin', responseId, { intent: 'erase', confirmReceipt: receipt })).status).toBe(404)
    const wrong = await act(t, 'admin', responseId, { intent: 'erase', confirmReceipt: 'AAAA-BBBB-CC' })
    expect(wrong.status).toBe(422)
    expect(await findResponseByReceipt(test.db, t.organisationId, receipt)).not.toBeNull()
  })

  it('an admin erases it: no row, aggregates exact, later exports without it, audited without the answers or receipt', async () => {
    const before = await countResponses(test.db, t.organisationId, t.surveyId)
    const ctx = (await loadExportContext(test.db, t.organisationId, t.surveyId, { organisationName: t.organisationName }))!
    const microdata = async () => new Response(microdataStream(test.db, ctx, { includeFreeText: true, includeEquality: true, bom: false })).text()
    expect(await microdata()).toContain('canary-7f3a') // the control: the export did hold it
    const res = await act(t, 'admin', responseId, { intent: 'erase', confirmReceipt: receipt.toLowerCase() })
    expect(res.status).toBe(302)
    expect(res.headers!.get('Location')).toBe('/app/responses?erased=1')
    expect(await countResponses(test.db, t.organisationId, t.surveyId)).toBe(before - 1)
    expect(await findResponseByReceipt(test.db, t.organisationId, receipt)).toBeNull()
    expect((await search(t, 'admin', receipt)).data).toMatchObject({ found: null })
    // No table holds the answers, the receipt or the id any more, except the audit entry's id.
    const traces = rowsOf<{ n: number }>(
      await test.db.execute(sql`select
        (select count(*) from responses where id = ${responseId}::uuid or receipt = ${receipt})
        + (select count(*) from responses where answers::text like '%canary-7f3a%')
        + (select count(*) from resume_tokens x where x::text like '%canary-7f3a%')
        + (select count(*) from response_answer_patterns x where x::text like '%canary-7f3a%')
        + (select count(*) from response_segment_cells x where x::text like '%canary-7f3a%')
        + (select count(*) from response_fieldwork x where x::text like '%canary-7f3a%')
        + (select count(*) from response_day_cells x where x::text like '%canary-7f3a%')
        + (select count(*) from audit_log x where x::text like '%canary-7f3a%' or x::text like ${`%${receipt}%`}) as n`),
    )
    expect(Number(traces[0]!.n)).toBe(0)
    expect(await checkAggregateTotals(test.db, t.organisationId)).toEqual([])
    const csv = await microdata()
    expect(csv).not.toContain('canary-7f3a')
    expect(csv).not.toContain(receipt)
    const [erased] = await listAudit(test.db, t.organisationId, { action: 'response.erased' })
    expect(erased).toMatchObject({ targetId: responseId, userEmail: t.users.admin.email })
    expect(JSON.stringify(erased!.details)).not.toContain(receipt)
    expect(JSON.stringify(erased!.details)).not.toContain('canary')
    // Erasing again finds nothing.
    expect((await act(t, 'admin', responseId, { intent: 'erase', confirmReceipt: receipt })).status).toBe(404)
  })
})
