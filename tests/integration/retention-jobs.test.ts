import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { rowsOf } from '#db/client.ts'
import { listAudit } from '#db/queries/accounts.ts'
import { checkAggregateTotals } from '#db/queries/aggregates-maintenance.ts'
import { countResponses } from '#db/queries/responses.ts'
import { action as retentionAction, loader as retentionLoader } from '#app/routes/app.surveys.$surveyId.retention.tsx'
import { changeRetention, previewRetention, purgeExpiredData } from '#app/services/retention.server.ts'
import { startJobs } from '#app/services/jobs.server.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'
import { storeResponse } from '#db/queries/responses.ts'

/*
 * Retention without surprises (issue 12; PRODUCT.md §5 "Silent purges"): a change previews its count, needs
 * that count confirmed, is admin-only and audited; every purge is audited with its count and keeps the
 * aggregates exact; the purge runs as a pg-boss job on this engine (PGlite under `npm test`, PostgreSQL under
 * test:pg). Today's main let an analyst set 400 days and silently delete a wave within the hour.
 */

let test: TestDatabase
let t: Tenant
let other: Tenant
const cookies: Record<string, string> = {}
const origin = 'http://localhost'

/** Store `n` responses `daysAgo` days old in the tenant's survey. */
async function addResponses(tenant: Tenant, n: number, daysAgo: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const stored = await storeResponse(test.db, {
      organisationId: tenant.organisationId,
      surveyId: tenant.surveyId,
      surveyVersionId: tenant.versionId,
      clientId: crypto.randomUUID(),
      wave: daysAgo > 300 ? '2025' : '2026',
      answers: { overall: 1 + (i % 5) },
      segments: {},
      source: 'api',
      submittedAt: new Date(Date.now() - daysAgo * 86_400_000),
    })
    expect(stored.status).toBe('created')
  }
}

async function post(tenant: Tenant, role: 'viewer' | 'analyst' | 'admin', body: Record<string, string>) {
  const request = new Request(`${origin}/app/surveys/${tenant.surveyId}/retention`, {
    method: 'POST',
    headers: { Cookie: cookies[`${tenant.label}.${role}`]!, Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  })
  try {
    const result = (await retentionAction({ request, params: { surveyId: tenant.surveyId }, context: {} })) as unknown
    if (result instanceof Response) return { status: result.status, data: null }
    const d = result as { data: unknown; init: ResponseInit | null }
    return { status: d.init?.status ?? 200, data: d.data as Record<string, unknown> }
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, data: null }
    throw thrown
  }
}

const surveyCount = (tenant: Tenant) => countResponses(test.db, tenant.organisationId, tenant.surveyId)
const retentionOf = async (tenant: Tenant) =>
  Number(rowsOf<{ d: number }>(await test.db.execute(sql`select retention_days as d from surveys where id = ${tenant.surveyId}::uuid`))[0]!.d)

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  t = await createTenant(test.db, 'Keep')
  other = await createTenant(test.db, 'Other')
  for (const tenant of [t, other])
    for (const role of ['viewer', 'analyst', 'admin'] as const)
      cookies[`${tenant.label}.${role}`] = (await startSession(tenant.users[role].id, tenant.organisationId)).split(';')[0]!
  // A whole earlier wave 420 days old, and a recent one; the default period (730 days) keeps both.
  await addResponses(t, 12, 420)
  await addResponses(t, 5, 10)
  await addResponses(other, 3, 420)
})
afterAll(async () => {
  await test?.close()
})

describe('changing a retention period', () => {
  it('previews how many responses the next purge would delete, and the preview changes nothing', async () => {
    const before = await surveyCount(t)
    expect(await previewRetention(test.db, t.organisationId, t.surveyId, 400)).toBe(12)
    expect(await previewRetention(test.db, t.organisationId, t.surveyId, 730)).toBe(0)
    const preview = await post(t, 'admin', { intent: 'preview', retentionDays: '400' })
    expect(preview.status).toBe(200)
    expect(preview.data!.preview).toEqual({ retentionDays: 400, willDelete: 12 })
    expect(await retentionOf(t)).toBe(730)
    await purgeExpiredData(test.db)
    expect(await surveyCount(t)).toBe(before)
  })

  it('a change without confirmation deletes nothing (no tick, or a count other than the one shown)', async () => {
    const before = await surveyCount(t)
    const unticked = await post(t, 'admin', { intent: 'confirm', retentionDays: '400', willDelete: '12' })
    expect(unticked.status).toBe(400)
    const wrongCount = await post(t, 'admin', { intent: 'confirm', retentionDays: '400', willDelete: '0', confirm: 'yes' })
    expect(wrongCount.status).toBe(409)
    expect(wrongCount.data!.preview).toMatchObject({ retentionDays: 400, willDelete: 12, countChanged: true })
    expect(await retentionOf(t)).toBe(730)
    const summary = await purgeExpiredData(test.db)
    expect(summary.responses).toBe(0)
    expect(await surveyCount(t)).toBe(before)
    expect(await listAudit(test.db, t.organisationId, { action: 'retention.changed' })).toEqual([])
  })

  it('only admins may change it: viewers and analysts get 403 and nothing changes', async () => {
    for (const role of ['viewer', 'analyst'] as const) {
      for (const intent of ['preview', 'confirm']) {
        const res = await post(t, role, { intent, retentionDays: '400', willDelete: '12', confirm: 'yes' })
        expect(res.status, `${role} ${intent}`).toBe(403)
      }
    }
    expect(await retentionOf(t)).toBe(730)
    // Each refusal is audited (ASVS 5.0 V16.3.2).
    const refused = await listAudit(test.db, t.organisationId, { action: 'auth.forbidden' })
    expect(refused.filter((e) => (e.details as { permission?: string }).permission === 'retention:write')).toHaveLength(4)
    expect(refused[0]).toMatchObject({ details: { method: 'POST', path: `/app/surveys/${t.surveyId}/retention` } })
    // Analysts still see the period (and that they cannot change it).
    const request = new Request(`${origin}/app/surveys/${t.surveyId}/retention`, { headers: { Cookie: cookies[`${t.label}.analyst`]! } })
    const page = (await retentionLoader({ request, params: { surveyId: t.surveyId }, context: {} })) as { canChange: boolean; survey: { retentionDays: number } }
    expect(page).toMatchObject({ canChange: false, survey: { retentionDays: 730 } })
  })

  it('another organisation’s admin cannot preview or change it (404)', async () => {
    const request = new Request(`${origin}/app/surveys/${t.surveyId}/retention`, {
      method: 'POST',
      headers: { Cookie: cookies[`${other.label}.admin`]!, Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ intent: 'confirm', retentionDays: '400', willDelete: '12', confirm: 'yes' }),
    })
    await expect(retentionAction({ request, params: { surveyId: t.surveyId }, context: {} })).rejects.toMatchObject({ status: 404 })
    expect(await changeRetention(test.db, { organisationId: other.organisationId, userId: other.users.admin.id }, t.surveyId, 400, 12)).toEqual({ status: 'not_found' })
    expect(await retentionOf(t)).toBe(730)
  })

  it('a confirmed change is audited with the count, and the purge deletes exactly that many, audited, aggregates exact', async () => {
    const before = await surveyCount(t)
    const res = await post(t, 'admin', { intent: 'confirm', retentionDays: '400', willDelete: '12', confirm: 'yes' })
    expect(res.status).toBe(200)
    expect(res.data!.changed).toEqual({ from: 730, to: 400, willDelete: 12 })
    expect(await retentionOf(t)).toBe(400)
    const [changed] = await listAudit(test.db, t.organisationId, { action: 'retention.changed' })
    expect(changed).toMatchObject({ targetId: t.surveyId, details: { from: 730, to: 400, responsesDueForPurge: 12 }, userEmail: t.users.admin.email })

    const summary = await purgeExpiredData(test.db)
    expect(summary.responses).toBe(12)
    expect(summary.surveys).toEqual([{ organisationId: t.organisationId, surveyId: t.surveyId, retentionDays: 400, deleted: 12 }])
    expect(await surveyCount(t)).toBe(before - 12)
    expect(await surveyCount(other)).toBe(4) // its own period (730 days) still keeps its 420-day-old responses
    const [purged] = await listAudit(test.db, t.organisationId, { action: 'retention.purged' })
    expect(purged).toMatchObject({ targetId: t.surveyId, details: { deleted: 12, retentionDays: 400 }, userName: null })
    expect(await listAudit(test.db, other.organisationId, { action: 'retention.purged' })).toEqual([])
    expect(await checkAggregateTotals(test.db, t.organisationId)).toEqual([])
  })
})

describe('the purge as a job on the queue (pg-boss)', () => {
  it('runs on this database engine: a queued purge deletes expired responses and audits the count', async () => {
    await test.db.execute(sql`update surveys set retention_days = 30 where id = ${other.surveyId}::uuid`)
    expect(await surveyCount(other)).toBe(4)
    const jobs = await startJobs(test.db, { pollingIntervalSeconds: 0.5, runAtStart: true })
    try {
      const deadline = Date.now() + 20_000
      while ((await surveyCount(other)) !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
      expect(await surveyCount(other)).toBe(1)
      let audit = await listAudit(test.db, other.organisationId, { action: 'retention.purged' })
      while (audit.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100))
        audit = await listAudit(test.db, other.organisationId, { action: 'retention.purged' })
      }
      expect(audit[0]).toMatchObject({ details: { deleted: 3, retentionDays: 30 } })
      // The hourly schedule is stored in the database, where every instance shares it.
      const schedules = await jobs.boss.getSchedules()
      expect(schedules.map((s) => [s.name, s.cron]).sort()).toEqual([
        ['invitation-address-purge', '30 * * * *'],
        ['retention-purge', '0 * * * *'],
      ])
      // Its jobs are recorded in PostgreSQL tables (pg-boss's schema), not in process memory.
      const done = rowsOf<{ n: number }>(
        await test.db.execute(sql`select count(*)::int as n from pgboss.job where name = 'retention-purge' and state = 'completed'`),
      )
      expect(Number(done[0]!.n)).toBeGreaterThanOrEqual(1)
      expect(await checkAggregateTotals(test.db, other.organisationId)).toEqual([])
    } finally {
      await jobs.stop()
    }
  }, 30_000)
})
