import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { rowsOf } from '#db/client.ts'
import { postResumeDraft } from '#app/routes/api.v1.surveys.$slug.server.ts'
import { handleFormSubmission, loadRespondentPage } from '#app/routes/s.$slug.server.ts'
import { RESUME_DAYS } from '#app/services/resume.server.ts'
import { resetSubmissionLimits } from '#app/utils/submission-limits.server.ts'
import { demoDatabase } from '#tests/support/collect-fixtures.ts'
import type { TestDatabase } from '#tests/support/database.ts'

/*
 * Issue 12, finding 3: the resume API took a token chosen by the client. An attacker could mint a link, send it
 * to a respondent, and read everything the respondent typed as it autosaved, equality answers included.
 * Each test here failed on the old code (app/services/resume.server.ts used `input.token ?? randomBytes(20)`).
 */
let test: TestDatabase

beforeAll(async () => {
  ;({ test } = await demoDatabase(5))
  resetSubmissionLimits({ perClientPerMinute: 10_000, perSurveyPerSecond: 10_000 })
})
afterAll(async () => {
  await test.close()
})

interface Saved {
  token: string
  writeKey: string
  expiresAt: string
}

async function save(body: Record<string, unknown>): Promise<{ status: number; body: Saved }> {
  const res = await postResumeDraft(
    new Request('http://localhost/api/v1/surveys/demo/resume', { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
    'demo',
  )
  return { status: res.status, body: (await res.json()) as Saved }
}

const open = (token: string) => loadRespondentPage(new Request(`http://localhost/s/demo?resume=${encodeURIComponent(token)}`), 'demo')

const tokenHashes = async () => rowsOf<{ token_hash: string }>(await test.db.execute(sql`select token_hash from resume_tokens`)).map((r) => r.token_hash)

describe('save-and-resume tokens come from the server only', () => {
  it('a token chosen by the client is never used: the draft gets a server token, and the chosen one opens nothing', async () => {
    const chosen = 'attacker-chosen-token-0123456789'
    const first = await save({ token: chosen, clientId: crypto.randomUUID(), answers: { overall: 2 }, currentPage: 1 })
    expect(first.status).toBe(200)
    expect(first.body.token).not.toBe(chosen)
    expect((await open(chosen)).initialAnswers).toBeNull()
    // Saving again with the chosen token (and even a chosen write key of the right shape) still writes nothing under it.
    const chosenKey = 'A'.repeat(43)
    const second = await save({ token: chosen, writeKey: chosenKey, clientId: crypto.randomUUID(), answers: { overall: 1 } })
    expect(second.body.token).not.toBe(chosen)
    expect(second.body.writeKey).not.toBe(chosenKey)
    expect((await open(chosen)).initialAnswers).toBeNull()
    expect((await open(first.body.token)).initialAnswers).toEqual({ overall: 2 })
  })

  it('tokens are long random base64url strings, stored only as SHA-256, and expire after RESUME_DAYS', async () => {
    const before = Date.now()
    const { body } = await save({ clientId: crypto.randomUUID(), answers: { overall: 3 } })
    for (const secret of [body.token, body.writeKey]) expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/) // 256 bits
    expect(body.writeKey).not.toBe(body.token)
    const hashes = await tokenHashes()
    expect(hashes.every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true)
    expect(hashes).not.toContain(body.token)
    expect(hashes).not.toContain(body.writeKey)
    const days = (Date.parse(body.expiresAt) - before) / 86_400_000
    expect(RESUME_DAYS).toBe(7)
    expect(days).toBeGreaterThan(6.99)
    expect(days).toBeLessThan(7.01)
    // Past its expiry the link opens nothing, and the write key no longer saves into it.
    await test.db.execute(sql`update resume_tokens set expires_at = now() - interval '1 minute'`)
    expect((await open(body.token)).initialAnswers).toBeNull()
    const after = await save({ writeKey: body.writeKey, clientId: crypto.randomUUID(), answers: { overall: 4 } })
    expect(after.body.token).not.toBe(body.token)
  })

  it('the page that saved keeps saving into its own draft with the write key', async () => {
    const clientId = crypto.randomUUID()
    const first = await save({ clientId, answers: { overall: 3 } })
    const again = await save({ token: first.body.token, writeKey: first.body.writeKey, clientId, answers: { overall: 5 }, currentPage: 2 })
    expect(again.body.token).toBe(first.body.token)
    const page = await open(first.body.token)
    expect(page.initialAnswers).toEqual({ overall: 5 })
    expect(page.initialPage).toBe(2)
    expect(page.clientId).toBe(clientId)
  })

  it('takeover: a link minted by an attacker never shows the attacker what the respondent types next', async () => {
    // The attacker makes a real, server-issued link and sends it to a respondent.
    const attacker = await save({ clientId: crypto.randomUUID(), answers: { overall: 5 } })
    const link = attacker.body.token
    // The respondent opens it: the page has the link token and no write key, so its autosave sends the token only.
    const page = await open(link)
    expect(page.resume).toBe(link)
    const victim = await save({ token: link, clientId: page.clientId, answers: { overall: 1, sex: 'female', disability: 'yes' }, currentPage: 1 })
    expect(victim.status).toBe(200)
    expect(victim.body.token).not.toBe(link)
    // The attacker's link, and the attacker's write key, now reach nothing of the respondent's.
    const attackerView = await open(link)
    expect(attackerView.initialAnswers).toBeNull()
    const attackerSave = await save({ token: link, writeKey: attacker.body.writeKey, clientId: crypto.randomUUID(), answers: {} })
    expect(attackerSave.body.token).not.toBe(victim.body.token)
    expect((await open(attackerSave.body.token)).initialAnswers).toEqual({})
    // The respondent's answers are behind the respondent's own new link only.
    expect((await open(victim.body.token)).initialAnswers).toMatchObject({ overall: 1 })
  })

  it('the no-JavaScript form: the saving page writes with its key; a page opened from the link saves into a new link', async () => {
    const clientId = crypto.randomUUID()
    const form = (fields: Record<string, string>) =>
      new Request('http://localhost/s/demo', { method: 'POST', body: new URLSearchParams(fields), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
    type Result = { data: { saved?: { url: string; token: string; writeKey: string } } }
    const first = ((await handleFormSubmission(form({ clientId, intent: 'save', overall: '2' }), 'demo')) as Result).data.saved!
    expect(new URL(first.url).searchParams.get('resume')).toBe(first.token)
    const second = ((await handleFormSubmission(form({ clientId, intent: 'save', overall: '3', resume: first.token, resumeKey: first.writeKey }), 'demo')) as Result).data.saved!
    expect(second.token).toBe(first.token)
    expect((await open(first.token)).initialAnswers).toEqual({ overall: 3 })
    // Someone with only the link (no key) saves: a new link, and the old one opens nothing.
    const third = ((await handleFormSubmission(form({ clientId, intent: 'save', overall: '4', resume: first.token }), 'demo')) as Result).data.saved!
    expect(third.token).not.toBe(first.token)
    expect((await open(first.token)).initialAnswers).toBeNull()
    expect((await open(third.token)).initialAnswers).toEqual({ overall: 4 })
  })
})
