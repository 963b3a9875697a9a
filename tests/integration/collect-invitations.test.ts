import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { rowsOf } from '#db/client.ts'
import { countInvitations, hashInvitationToken, issueInvitations } from '#db/queries/invitations.ts'
import { hashToken } from '#app/utils/auth.server.ts'
import { postResponse } from '#app/routes/api.v1.surveys.$slug.server.ts'
import { downloadNewInvitations, loadInvitationsPage } from '#app/routes/app.surveys.$surveyId.invitations.server.ts'
import { loadDistributePage, qrCodeResponse } from '#app/routes/app.surveys.$surveyId.distribute.server.ts'
import { loadRespondentPage } from '#app/routes/s.$slug.server.ts'
import { demoDatabase, staffRequest, submission } from '#tests/support/collect-fixtures.ts'
import type { TestDatabase } from '#tests/support/database.ts'

let test: TestDatabase
let organisationId: string
let surveyId: string
let userId: string

beforeAll(async () => {
  ;({ test, organisationId, surveyId, userId } = await demoDatabase())
})
afterAll(async () => {
  await test.close()
})

function post(body: unknown) {
  const raw = JSON.stringify(body)
  return postResponse(new Request('http://localhost/api/v1/surveys/demo/responses', { method: 'POST', body: raw, headers: { 'Content-Type': 'application/json' } }), 'demo')
}

describe('single-use invitations', () => {
  it('issues random tokens of at least 128 bits and stores only their SHA-256', async () => {
    const { tokens } = await issueInvitations(test.db, organisationId, surveyId, 20, 'test batch')
    expect(new Set(tokens).size).toBe(20)
    for (const t of tokens) expect(Buffer.from(t, 'base64url').length * 8).toBeGreaterThanOrEqual(128)
    expect(hashInvitationToken(tokens[0]!)).toBe(hashToken(tokens[0]!))
    const stored = rowsOf<{ token_hash: string }>(await test.db.execute(sql`select token_hash from response_invitations where batch = 'test batch'`))
    expect(stored).toHaveLength(20)
    const hashes = new Set(stored.map((r) => r.token_hash))
    for (const t of tokens) {
      expect(hashes.has(t)).toBe(false)
      expect(hashes.has(hashInvitationToken(t))).toBe(true)
    }
  })

  it('accepts exactly one of 50 concurrent submissions with the same token', async () => {
    const { tokens } = await issueInvitations(test.db, organisationId, surveyId, 1, 'race')
    const token = tokens[0]!
    const before = await countInvitations(test.db, organisationId, surveyId)
    const results = await Promise.all(Array.from({ length: 50 }, () => post(submission(undefined, { invitation: token }))))
    const statuses = results.map((r) => r.status)
    expect(statuses.filter((s) => s === 201)).toHaveLength(1)
    expect(statuses.filter((s) => s === 409)).toHaveLength(49)
    const stored = rowsOf<{ n: number }>(
      await test.db.execute(sql`select count(*)::int as n from responses r join response_invitations i on i.id = r.invitation_id where i.token_hash = ${hashInvitationToken(token)}`),
    )
    expect(Number(stored[0]!.n)).toBe(1)
    const after = await countInvitations(test.db, organisationId, surveyId)
    expect(after.used - before.used).toBe(1)
  })

  it('refuses a used token politely on the page and in the API, and a replay of the winner still gets its receipt', async () => {
    const { tokens } = await issueInvitations(test.db, organisationId, surveyId, 1, 'replay')
    const first = submission(undefined, { invitation: tokens[0] })
    const created = await post(first)
    expect(created.status).toBe(201)
    const receipt = ((await created.json()) as { receipt: string }).receipt
    const again = await post(first)
    expect(again.status).toBe(200)
    expect(((await again.json()) as { receipt: string }).receipt).toBe(receipt)
    const other = await post(submission(undefined, { invitation: tokens[0] }))
    expect(other.status).toBe(409)
    expect(((await other.json()) as { message: string }).message).toMatch(/already been used/)
    const page = await loadRespondentPage(new Request(`http://localhost/s/demo?invitation=${tokens[0]}`), 'demo')
    expect(page.invitationState).toBe('used')
  })

  it('downloads a CSV of personal links once, and counts issued and used for response rates', async () => {
    const form = new URLSearchParams({ count: '5', batch: 'Letters', segment: 'channel=letter' })
    const request = await staffRequest(userId, organisationId, `http://localhost/app/surveys/${surveyId}/invitations/download`, {
      method: 'POST',
      body: form,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    })
    const response = await downloadNewInvitations(request, surveyId)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toMatch(/text\/csv/)
    expect(response.headers.get('Content-Disposition')).toMatch(/attachment/)
    const lines = (await response.text()).trim().split('\r\n')
    expect(lines[0]).toBe('number,batch,link')
    expect(lines).toHaveLength(6)
    const links = lines.slice(1).map((l) => new URL(l.split(',')[2]!))
    for (const link of links) {
      expect(link.pathname).toBe('/s/demo')
      expect(link.searchParams.get('channel')).toBe('letter')
    }
    // A link from the file works once: the page accepts it, the API stores one response with the segment.
    const token = links[0]!.searchParams.get('invitation')!
    const page = await loadRespondentPage(new Request(links[0]!.toString()), 'demo')
    expect(page.invitationState).toBe('unused')
    expect((await post(submission(undefined, { invitation: token, segments: { channel: 'letter' } }))).status).toBe(201)
    const view = await loadInvitationsPage(await staffRequest(userId, organisationId, `http://localhost/app/surveys/${surveyId}/invitations`), surveyId)
    const letters = view.batches.find((b) => b.batch === 'Letters')!
    expect(letters).toMatchObject({ issued: 5, used: 1 })
    expect(view.totals.issued).toBeGreaterThanOrEqual(5)
  })

  it('refuses bad counts and unknown groups', async () => {
    const bodies: Array<Record<string, string>> = [{ count: '0' }, { count: '10001' }, { count: 'many' }, { count: '3', segment: 'channel=pigeon' }]
    for (const body of bodies) {
      const request = await staffRequest(userId, organisationId, `http://localhost/app/surveys/${surveyId}/invitations/download`, {
        method: 'POST',
        body: new URLSearchParams(body),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      })
      expect((await downloadNewInvitations(request, surveyId)).status).toBe(400)
    }
  })
})

describe('distribution links and QR codes', () => {
  it('lists the web link, the Welsh link and one link per channel', async () => {
    const page = await loadDistributePage(await staffRequest(userId, organisationId, `http://localhost/app/surveys/${surveyId}/distribute`), surveyId)
    const urls = page.links.map((l) => l.url)
    expect(urls).toContain('http://localhost/s/demo')
    expect(urls).toContain('http://localhost/s/demo?channel=phone')
    expect(urls).toContain('http://localhost/s/demo?channel=letter')
  })

  it('makes QR codes as SVG and PNG for the survey’s own links only', async () => {
    const svg = await qrCodeResponse(await staffRequest(userId, organisationId, `http://localhost/app/surveys/${surveyId}/distribute/qr/svg?link=channel-phone&download`), surveyId, 'svg')
    expect(svg.headers.get('Content-Type')).toMatch(/image\/svg\+xml/)
    expect(svg.headers.get('Content-Disposition')).toMatch(/attachment; filename="demo-channel-phone.svg"/)
    expect(await svg.text()).toMatch(/^<svg[^>]*viewBox/)
    const png = await qrCodeResponse(await staffRequest(userId, organisationId, `http://localhost/app/surveys/${surveyId}/distribute/qr/png?link=web`), surveyId, 'png')
    const bytes = new Uint8Array(await png.arrayBuffer())
    expect([...bytes.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    await expect(qrCodeResponse(await staffRequest(userId, organisationId, `http://localhost/x?link=https://evil.example`), surveyId, 'svg')).rejects.toMatchObject({ status: 404 })
  })

  it('gives 404 for a survey of another organisation or a malformed id', async () => {
    const request = await staffRequest(userId, organisationId, 'http://localhost/app/surveys/x/distribute')
    await expect(loadDistributePage(request, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404 })
    await expect(loadDistributePage(request, 'not-a-uuid')).rejects.toMatchObject({ status: 404 })
  })
})
