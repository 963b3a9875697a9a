import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { rowsOf } from '#db/client.ts'
import { issueInvitations } from '#db/queries/invitations.ts'
import { postResponse } from '#app/routes/api.v1.surveys.$slug.server.ts'
import { resetSubmissionLimits } from '#app/utils/submission-limits.server.ts'
import { demoAnswers, demoDatabase, submission } from '#tests/support/collect-fixtures.ts'
import type { TestDatabase } from '#tests/support/database.ts'

/*
 * Issue 12, finding 7: the same invitation submission retried concurrently got 409 `invitation_used`. A retry
 * with the same idempotency key and the same answers is a replay: 200 with the original receipt. Another
 * response on a used invitation is still 409 `invitation_used`.
 */
let test: TestDatabase
let organisationId: string
let surveyId: string

beforeAll(async () => {
  ;({ test, organisationId, surveyId } = await demoDatabase(3))
})
beforeEach(() => {
  resetSubmissionLimits({ perClientPerMinute: 100_000, perSurveyPerSecond: 100_000 })
})
afterAll(async () => {
  await test.close()
})

async function post(body: unknown): Promise<{ status: number; body: { receipt?: string; error?: string; replayed?: boolean } }> {
  const res = await postResponse(
    new Request('http://localhost/api/v1/surveys/demo/responses', { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
    'demo',
  )
  return { status: res.status, body: (await res.json()) as { receipt?: string; error?: string } }
}

async function invitation(): Promise<string> {
  return (await issueInvitations(test.db, organisationId, surveyId, 1, `replay-${crypto.randomUUID()}`)).tokens[0]!
}

const rowsFor = async (clientId: string) =>
  Number(rowsOf<{ n: number }>(await test.db.execute(sql`select count(*)::int as n from responses where client_id = ${clientId}`))[0]!.n)

describe('invitation submissions retried', () => {
  it('the same submission sent 8 times at once: one 201, the rest 200 with the same receipt, one row', async () => {
    for (let round = 0; round < 5; round++) {
      const body = submission(demoAnswers(), { invitation: await invitation() })
      const results = await Promise.all(Array.from({ length: 8 }, () => post(body)))
      const statuses = results.map((r) => r.status).sort()
      expect(statuses, JSON.stringify(results.map((r) => r.body))).toEqual([200, 200, 200, 200, 200, 200, 200, 201])
      expect(new Set(results.map((r) => r.body.receipt)).size).toBe(1)
      expect(results.filter((r) => r.status === 200).every((r) => r.body.replayed === true)).toBe(true)
      expect(await rowsFor(body.id)).toBe(1)
    }
  })

  it('a replay after the first has committed gets 200 and the original receipt', async () => {
    const body = submission(demoAnswers(), { invitation: await invitation() })
    const first = await post(body)
    expect(first.status).toBe(201)
    const again = await post(body)
    expect(again.status).toBe(200)
    expect(again.body.receipt).toBe(first.body.receipt)
  })

  it('another response on a used invitation is still 409 invitation_used, also when sent concurrently', async () => {
    const token = await invitation()
    const results = await Promise.all([post(submission(demoAnswers(5), { invitation: token })), post(submission(demoAnswers(4), { invitation: token }))])
    expect(results.map((r) => r.status).sort()).toEqual([201, 409])
    expect(results.find((r) => r.status === 409)!.body.error).toBe('invitation_used')
    const later = await post(submission(demoAnswers(3), { invitation: token }))
    expect(later.status).toBe(409)
    expect(later.body.error).toBe('invitation_used')
  })

  it('the same key with different answers on the invitation, concurrently: one stored, the other refused with 409', async () => {
    const token = await invitation()
    const id = crypto.randomUUID()
    const results = await Promise.all([
      post({ id, answers: demoAnswers(5), segments: {}, invitation: token }),
      post({ id, answers: demoAnswers(1), segments: {}, invitation: token }),
    ])
    expect(results.map((r) => r.status).sort()).toEqual([201, 409])
    expect(await rowsFor(id)).toBe(1)
  })
})
