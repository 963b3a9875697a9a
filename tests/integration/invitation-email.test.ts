import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf } from '#db/client.ts'
import { listAudit } from '#db/queries/accounts.ts'
import { listMailings } from '#db/queries/invitation-mailings.ts'
import { action, loader } from '#app/routes/app.surveys.$surveyId.invitations.email.tsx'
import { action as optOutAction, loader as optOutLoader } from '#app/routes/s.$slug.opt-out.tsx'
import { postResponse } from '#app/routes/api.v1.surveys.$slug.server.ts'
import { loadRespondentPage } from '#app/routes/s.$slug.server.ts'
import { purgeInvitationAddresses } from '#app/services/invitation-mail.server.ts'
import { startJobs, type JobRunner } from '#app/services/jobs.server.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'
import { startTestSmtp, type ReceivedMail, type TestSmtp } from '#tests/support/smtp.ts'

/*
 * Issue 13 item 5: invitations and reminders by e-mail arrive at a real SMTP server started in-process
 * (smtp-server), through the real queue (pg-boss) and the real transport (nodemailer with STARTTLS). The
 * respondent answers with the link from the message; the reminder goes only to those who have not; the rate by
 * batch is counted; addresses are deleted at the retention point while the counts stay.
 */

const ORIGIN = 'http://localhost'
let test: TestDatabase
let smtp: TestSmtp
let jobs: JobRunner
let t: Tenant
let other: Tenant
const cookies: Record<string, string> = {}
const output: string[] = []
let restoreOutput: () => void

type Outcome = { status: number; data: Record<string, unknown> | null }

async function settle(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    const result = (await call()) as unknown
    if (result instanceof Response) return { status: result.status, data: null }
    const d = result as { data?: unknown; init?: ResponseInit | null }
    if (d && typeof d === 'object' && 'data' in d) return { status: d.init?.status ?? 200, data: d.data as Record<string, unknown> }
    return { status: 200, data: result as Record<string, unknown> }
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, data: null }
    throw thrown
  }
}

function post(tenant: Tenant, surveyId: string, body: FormData | string, cookie = cookies[tenant.label]!, headers: Record<string, string> = {}) {
  const request = new Request(`${ORIGIN}/app/surveys/${surveyId}/invitations/email`, {
    method: 'POST',
    headers: { Cookie: cookie, Origin: ORIGIN, ...headers },
    body,
  })
  return settle(() => action({ request, params: { surveyId }, context: {} }))
}

function sendForm(fields: Record<string, string>, file?: { name: string; text: string }): FormData {
  const form = new FormData()
  form.set('intent', 'send')
  form.set('language', 'en')
  for (const [k, v] of Object.entries(fields)) form.set(k, v)
  if (file) form.set('file', new File([file.text], file.name, { type: 'text/csv' }))
  return form
}

async function page(tenant: Tenant = t) {
  const request = new Request(`${ORIGIN}/app/surveys/${tenant.surveyId}/invitations/email`, { headers: { Cookie: cookies[tenant.label]! } })
  return (await loader({ request, params: { surveyId: tenant.surveyId }, context: {} })) as Awaited<ReturnType<typeof loader>>
}

/** Wait until the condition holds (the queue works in the background), failing after 20 s. */
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const value = await read()
    if (ok(value) || Date.now() > deadline) return value
    await new Promise((r) => setTimeout(r, 100))
  }
}

const mailsTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address))
const linkIn = (mail: ReceivedMail, path = '') => {
  const match = new RegExp(`https?://\\S+/s/[\\w-]+${path}\\?invitation=[A-Za-z0-9_-]+(&lang=cy)?`).exec(mail.text)
  if (!match) throw new Error('no personal link in the message')
  return match[0]
}
const tokenOf = (link: string) => new URL(link).searchParams.get('invitation')!

function submit(slug: string, token: string) {
  const body = JSON.stringify({ id: randomUUID(), answers: { overall: 4 }, segments: {}, invitation: token })
  return postResponse(new Request(`${ORIGIN}/api/v1/surveys/${slug}/responses`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } }), slug)
}

beforeAll(async () => {
  smtp = await startTestSmtp()
  Object.assign(process.env, smtp.env, { LOG_LEVEL: 'info' })
  test = await createTestDatabase()
  installAsAppDatabase(test)
  t = await createTenant(test.db, 'Mail')
  other = await createTenant(test.db, 'Elsewhere')
  for (const tenant of [t, other]) cookies[tenant.label] = (await startSession(tenant.users.analyst.id, tenant.organisationId)).split(';')[0]!
  cookies.viewer = (await startSession(t.users.viewer.id, t.organisationId)).split(';')[0]!
  jobs = await startJobs(test.db, { runAtStart: false, pollingIntervalSeconds: 30, mail: { pollingIntervalSeconds: 0.5, retryDelaySeconds: 1 } })
  // Everything the app writes to stdout and stderr while mail is sent, to prove no address or token is logged.
  const out = process.stdout.write.bind(process.stdout)
  const err = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => (output.push(String(chunk)), out(chunk, ...rest))) as typeof process.stdout.write
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => (output.push(String(chunk)), err(chunk, ...rest))) as typeof process.stderr.write
  restoreOutput = () => {
    process.stdout.write = out
    process.stderr.write = err
  }
}, 60_000)
afterAll(async () => {
  restoreOutput?.()
  await jobs?.stop()
  await test?.close()
  await smtp?.close()
})

describe('e-mail invitations through a real SMTP server', () => {
  const english = ['ann@example.test', 'bob@example.test', 'cai@example.test']
  const welsh = 'dewi@example.test'
  let mailingId: string

  it('sends a batch in English and Welsh from a CSV with a language column, once per address', async () => {
    const csv = `email,language\r\n${english.join(',en\r\n')},\r\nDEWI@example.test,cy\r\nann@example.test,en\r\n`
    const res = await post(t, t.surveyId, sendForm({ name: 'March customers' }, { name: 'list.csv', text: csv }))
    expect(res.status).toBe(200)
    expect(res.data!.sent).toMatchObject({ count: 4, duplicates: 1, name: 'March customers' })
    const mailings = await until(() => listMailings(test.db, t.organisationId, t.surveyId), (m) => m[0]?.sent === 4)
    expect(mailings).toHaveLength(1)
    expect(mailings[0]).toMatchObject({ name: 'March customers', recipients: 4, queued: 0, sent: 4, failed: 0, answered: 0 })
    mailingId = mailings[0]!.id

    for (const address of english) {
      const [mail, ...more] = mailsTo(address)
      expect(more).toEqual([])
      expect(mail!.secure).toBe(true)
      expect(mail!.text).toContain(`${t.organisationName} is asking people who have used its services`)
      expect(mail!.text).toContain('Your personal link to the survey')
      expect(mail!.text).toContain('To stop any reminders about this survey')
      expect(mail!.raw).toMatch(/^Content-Language: en/m)
      expect(linkIn(mail!)).toMatch(new RegExp(`^${ORIGIN}/s/${t.surveySlug}\\?invitation=`))
      // The HTML part carries the same link, escaped.
      expect(mail!.html).toContain(`href="${linkIn(mail!).replace(/&/g, '&amp;')}"`)
    }
    const [cy] = mailsTo(welsh)
    expect(cy!.text).toContain('Helo,')
    expect(cy!.text).toContain(`Mae ${t.organisationName} yn gofyn i bobl`)
    expect(cy!.html).toContain('<html lang="cy">')
    expect(linkIn(cy!)).toMatch(/&lang=cy$/)
    // Every link is different.
    expect(new Set([...english, welsh].map((a) => tokenOf(linkIn(mailsTo(a)[0]!)))).size).toBe(4)

    const [audit] = await listAudit(test.db, t.organisationId, { action: 'invitations.emailed' })
    expect(audit).toMatchObject({ details: { count: 4, english: 3, welsh: 1, batch: 'March customers', transport: 'smtp' } })
    expect(JSON.stringify(audit!.details)).not.toContain('@')
  }, 30_000)

  it('the link accepts one response; the respondent’s answer counts in the batch’s rate', async () => {
    const token = tokenOf(linkIn(mailsTo('ann@example.test')[0]!))
    const before = await loadRespondentPage(new Request(`${ORIGIN}/s/${t.surveySlug}?invitation=${token}`), t.surveySlug)
    expect(before.invitationState).toBe('unused')
    expect((await submit(t.surveySlug, token)).status).toBe(201)
    // The address goes in the answer's own transaction, so no answer is ever linked to an address.
    const held = rowsOf<{ email: string | null; link_token: string | null }>(
      await test.db.execute(sql`select r.email, r.link_token from invitation_recipients r join response_invitations i on i.id = r.invitation_id
        where i.token_hash = encode(sha256(convert_to(${token}, 'UTF8')), 'hex')`),
    )
    expect(held).toEqual([{ email: null, link_token: null }])
    expect((await submit(t.surveySlug, token)).status).toBe(409)
    const after = await loadRespondentPage(new Request(`${ORIGIN}/s/${t.surveySlug}?invitation=${token}`), t.surveySlug)
    expect(after.invitationState).toBe('used')
    const [row] = (await page()).mailings
    expect(row).toMatchObject({ sent: 4, answered: 1, remindable: 3 })
  })

  it('the opt-out link stops reminders and deletes that address at once', async () => {
    const link = linkIn(mailsTo('bob@example.test')[0]!, '/opt-out')
    const shown = await settle(() => optOutLoader({ request: new Request(link), params: { slug: t.surveySlug }, context: {} }))
    expect(shown.data).toMatchObject({ invitation: tokenOf(link), outcome: null })
    const form = new URLSearchParams({ invitation: tokenOf(link), lang: 'en' })
    const done = await settle(() => optOutAction({ request: new Request(link, { method: 'POST', body: form }), params: { slug: t.surveySlug }, context: {} }))
    expect(done.data).toMatchObject({ outcome: 'done' })
    const held = rowsOf<{ n: number }>(await test.db.execute(sql`select count(*)::int as n from invitation_recipients where email = 'bob@example.test'`))
    expect(Number(held[0]!.n)).toBe(0)
    const again = await settle(() => optOutAction({ request: new Request(link, { method: 'POST', body: form }), params: { slug: t.surveySlug }, context: {} }))
    expect(again.data).toMatchObject({ outcome: 'unknown' })
  })

  it('a reminder goes only to those who have not answered or opted out, in their language', async () => {
    const since = smtp.messages.length
    const res = await post(t, t.surveyId, new URLSearchParams({ intent: 'remind', mailingId }).toString(), cookies[t.label], {
      'Content-Type': 'application/x-www-form-urlencoded',
    })
    expect(res.status).toBe(200)
    expect(res.data!.reminded).toEqual({ count: 2, round: 1 })
    await until(async () => smtp.messages.length, (n) => n >= since + 2)
    const reminders = smtp.messages.slice(since)
    expect(reminders.map((m) => m.to[0]).sort()).toEqual(['cai@example.test', welsh])
    const cai = reminders.find((m) => m.to.includes('cai@example.test'))!
    expect(cai.text).toContain('wrote to you recently to ask for your views')
    // The same personal link as the first message.
    expect(linkIn(cai)).toBe(linkIn(mailsTo('cai@example.test')[0]!))
    const dewi = reminders.find((m) => m.to.includes(welsh))!
    expect(dewi.text).toContain('Ysgrifennodd')
    const row = await until(async () => (await page()).mailings[0]!, (m) => m.reminderQueued === 0)
    expect(row).toMatchObject({ remindersSent: 1, reminderFailed: 0, answered: 1, sent: 4 })
  }, 30_000)

  it('shows the response rate by batch with its count', async () => {
    const token = tokenOf(linkIn(mailsTo('cai@example.test')[0]!))
    expect((await submit(t.surveySlug, token)).status).toBe(201)
    const [row] = (await page()).mailings
    expect(row).toMatchObject({ recipients: 4, sent: 4, failed: 0, answered: 2 })
  })

  it('holds only the addresses a reminder may need, and deletes every one at the retention point; counts remain', async () => {
    const addresses = async () =>
      rowsOf<{ email: string | null; link_token: string | null }>(
        await test.db.execute(sql`select email, link_token from invitation_recipients where mailing_id = ${mailingId}::uuid order by email`),
      )
    await purgeInvitationAddresses(test.db)
    // Ann and Cai answered and Bob opted out (their addresses went then): only Dewi's is still needed.
    expect((await addresses()).filter((r) => r.email !== null).map((r) => r.email)).toEqual(['DEWI@example.test'])

    const later = new Date(Date.now() + 61 * 86_400_000)
    await purgeInvitationAddresses(test.db, later)
    expect((await addresses()).every((r) => r.email === null && r.link_token === null)).toBe(true)
    const [row] = (await page()).mailings
    expect(row).toMatchObject({ recipients: 4, sent: 4, answered: 2, remindable: 0 })
    expect(row!.addressesDeletedAt).not.toBeNull()
    const audits = await listAudit(test.db, t.organisationId, { action: 'invitations.addresses_deleted' })
    expect(audits.reduce((sum, a) => sum + Number((a.details as { deleted: number }).deleted), 0)).toBe(1)
    // No reminder can be sent any more.
    const res = await post(t, t.surveyId, new URLSearchParams({ intent: 'remind', mailingId }).toString(), cookies[t.label], {
      'Content-Type': 'application/x-www-form-urlencoded',
    })
    expect(res.status).toBe(409)
  })

  it('never logged an address or a token, and the queue holds ids only', async () => {
    const tokens = smtp.messages.map((m) => tokenOf(linkIn(m)))
    const logged = output.join('')
    expect(logged).toContain('invitations.emailed')
    for (const secret of [...english, 'dewi@example.test', ...tokens]) expect(logged.toLowerCase()).not.toContain(secret.toLowerCase())
    const queued = rowsOf<{ data: string }>(await test.db.execute(sql`select data::text as data from pgboss.job where name = 'invitation-mail'`))
    expect(queued.length).toBeGreaterThanOrEqual(6)
    for (const job of queued) {
      expect(job.data).not.toContain('@')
      for (const token of tokens) expect(job.data).not.toContain(token)
    }
  })
})

describe('hostile input', () => {
  const mailingCount = async () => (await listMailings(test.db, t.organisationId, t.surveyId)).length

  it('reports bad lines in plain English and sends nothing', async () => {
    const before = await mailingCount()
    const res = await post(t, t.surveyId, sendForm({ addresses: 'good@example.test\nnot-an-address\n\nalso bad@example.test' }))
    expect(res.status).toBe(400)
    expect(res.data!.problems).toEqual([
      'Line 2: “not-an-address” is not an e-mail address.',
      'Line 4: “also bad@example.test” is not an e-mail address.',
    ])
    // The pasted list comes back, so nothing typed is lost.
    expect(res.data!.addresses).toContain('good@example.test')
    const language = await post(t, t.surveyId, sendForm({}, { name: 'l.csv', text: 'email,language\nx@example.test,fr\n' }))
    expect(language.data!.problems).toEqual(['Line 2: the language “fr” is not one we know: use en or cy (English or Welsh).'])
    expect(await mailingCount()).toBe(before)
  })

  it('refuses a file that is not CSV, not UTF-8, or has no email column', async () => {
    const broken = await post(t, t.surveyId, sendForm({}, { name: 'l.csv', text: 'email,language\n"unterminated,en\n' }))
    expect(broken.status).toBe(400)
    expect(String((broken.data!.problems as string[])[0])).toMatch(/^The file could not be read as CSV/)
    const noColumn = await post(t, t.surveyId, sendForm({}, { name: 'l.csv', text: 'name,language\nAnn,en\n' }))
    expect((noColumn.data!.problems as string[])[0]).toMatch(/must name the columns, one of them “email”/)
    const form = sendForm({})
    form.set('file', new File([new Uint8Array([0x65, 0x6d, 0xff, 0xfe])], 'l.csv'))
    const latin = await post(t, t.surveyId, form)
    expect(latin.status).toBe(400)
    expect((latin.data!.problems as string[])[0]).toMatch(/not UTF-8/)
  })

  it('refuses an oversized body (413) and too many addresses (400)', async () => {
    const before = await mailingCount()
    const huge = Array.from({ length: 30_000 }, (_, i) => `person${i}@example.test`).join('\n')
    const big = await post(t, t.surveyId, sendForm({ addresses: huge }))
    expect(big.status).toBe(413)
    const many = Array.from({ length: 5_001 }, (_, i) => `p${i}@example.test`).join('\n')
    const tooMany = await post(t, t.surveyId, sendForm({ addresses: many }))
    expect(tooMany.status).toBe(400)
    expect((tooMany.data!.problems as string[])[0]).toMatch(/^The list has 5,001 addresses: send at most 5,000/)
    expect(await mailingCount()).toBe(before)
  })

  it('another organisation’s survey or batch is 404; a viewer is 403', async () => {
    const asOther = await post(other, t.surveyId, sendForm({ addresses: 'x@example.test' }))
    expect(asOther.status).toBe(404)
    const mailing = (await listMailings(test.db, t.organisationId, t.surveyId))[0]!
    const remindOther = await post(other, other.surveyId, new URLSearchParams({ intent: 'remind', mailingId: mailing.id }).toString(), cookies[other.label], {
      'Content-Type': 'application/x-www-form-urlencoded',
    })
    expect(remindOther.status).toBe(404)
    const request = new Request(`${ORIGIN}/app/surveys/${t.surveyId}/invitations/email`, { headers: { Cookie: cookies[other.label]! } })
    expect((await settle(() => loader({ request, params: { surveyId: t.surveyId }, context: {} }))).status).toBe(404)
    const viewer = await post(t, t.surveyId, sendForm({ addresses: 'x@example.test' }), cookies.viewer)
    expect(viewer.status).toBe(403)
    expect(await listMailings(test.db, other.organisationId, other.surveyId)).toEqual([])
  })
})
