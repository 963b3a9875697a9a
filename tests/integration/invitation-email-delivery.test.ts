import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf } from '#db/client.ts'
import { listMailings } from '#db/queries/invitation-mailings.ts'
import { sendMailing } from '#app/services/invitation-mail.server.ts'
import { MailSendError, notifyTransport } from '#app/services/mail-transport.server.ts'
import { queueMailJobs, startJobs, type JobRunner } from '#app/services/jobs.server.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'
import { startTestSmtp, type TestSmtp } from '#tests/support/smtp.ts'

/*
 * Delivery of invitation e-mails (docs/decisions/020-email-invitations.md): a real SMTP server that refuses some
 * recipients, for now or for good, through the real queue with a short back-off; and GOV.UK Notify's client
 * against a local HTTP server standing in for Notify's API, the boundary where the client's requests leave.
 */

describe('retries with back-off through pg-boss, against an SMTP server that refuses some recipients', () => {
  let test: TestDatabase
  let smtp: TestSmtp
  let jobs: JobRunner
  let t: Tenant

  beforeAll(async () => {
    smtp = await startTestSmtp({
      refuseRecipient: (address, attempt) =>
        address.startsWith('always@') ? 451 : address.startsWith('twice@') && attempt <= 2 ? 451 : address.startsWith('gone@') ? 550 : null,
    })
    Object.assign(process.env, smtp.env)
    test = await createTestDatabase()
    installAsAppDatabase(test)
    t = await createTenant(test.db, 'Retry')
    jobs = await startJobs(test.db, { runAtStart: false, mail: { maxAttempts: 3, retryDelaySeconds: 1, pollingIntervalSeconds: 0.5 } })
  }, 60_000)
  afterAll(async () => {
    await jobs?.stop()
    await test?.close()
    await smtp?.close()
  })

  it('retries a refused message, marks it failed after the last attempt, and sends the rest of the batch', async () => {
    const addresses = ['ok@example.test', 'twice@example.test', 'always@example.test', 'gone@example.test']
    await sendMailing(test.db, queueMailJobs, {
      organisationId: t.organisationId,
      userId: t.users.analyst.id,
      survey: { id: t.surveyId, closesAt: null },
      name: 'Retries',
      transport: 'smtp',
      recipients: addresses.map((email) => ({ email, language: 'en' as const })),
      origin: 'http://localhost',
    })
    const deadline = Date.now() + 45_000
    let mailing = (await listMailings(test.db, t.organisationId, t.surveyId))[0]!
    while (mailing.queued > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250))
      mailing = (await listMailings(test.db, t.organisationId, t.surveyId))[0]!
    }
    expect(mailing).toMatchObject({ recipients: 4, queued: 0, sent: 2, failed: 2 })
    const rows = rowsOf<{ email: string | null; status: string; attempts: number; last_error: string | null; invitation_id: string }>(
      await test.db.execute(sql`select email, status, attempts, last_error, invitation_id from invitation_recipients order by created_at, id`),
    )
    const byStatus = rows.map((r) => [r.status, Number(r.attempts), r.last_error]).sort()
    expect(byStatus).toEqual([
      // always@: three attempts, each refused for now; gone@: refused for good, not tried again
      ['failed', 1, 'smtp:EENVELOPE:550'],
      ['failed', 3, 'smtp:EENVELOPE:451'],
      ['sent', 1, null],
      ['sent', 3, null],
    ])
    // A failed address is forgotten at once (no reminder can reach it); the sent ones wait for reminders.
    expect(rows.filter((r) => r.status === 'failed').every((r) => r.email === null)).toBe(true)
    expect(rows.filter((r) => r.status === 'sent').map((r) => r.email).sort()).toEqual(['ok@example.test', 'twice@example.test'])
    expect(smtp.messages.map((m) => m.to[0]).sort()).toEqual(['ok@example.test', 'twice@example.test'])
    // Each failed invitation still counts as issued, so the batch's rate is over what was sent.
    const issued = rowsOf<{ n: number }>(await test.db.execute(sql`select count(*)::int as n from response_invitations where batch = 'Retries'`))
    expect(Number(issued[0]!.n)).toBe(4)
  }, 60_000)
})

describe('GOV.UK Notify through notifications-node-client, at its HTTP boundary', () => {
  const SERVICE = '26785a09-ab16-4eb0-8407-a37497a57506'
  const SECRET = '3d844edf-8d35-48ac-975b-e847b4f122b0'
  const TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a'
  const TEMPLATE_CY = 'a1b2c3d4-0000-4000-8000-000000000001'
  let server: Server
  let baseUrl: string
  let status = 201
  const requests: Array<{ method: string; url: string; authorization: string; body: Record<string, unknown> }> = []

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let raw = ''
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')))
      req.on('end', () => {
        requests.push({ method: req.method!, url: req.url!, authorization: String(req.headers.authorization), body: JSON.parse(raw) as Record<string, unknown> })
        res.writeHead(status, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify(status === 201 ? { id: 'n-1', content: {}, template: {} } : { errors: [{ error: 'BadRequestError', message: 'email_address Not a valid email address' }] }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const mail = {
    to: 'dewi@example.test',
    subject: 'Hoffai Cyngor Sir gael eich barn',
    text: 'Helo,\n\nEich dolen bersonol…',
    html: '<p>Helo,</p>',
    language: 'cy' as const,
    reference: 'recipient-id-1',
    optOutUrl: 'https://insight.example.gov.uk/s/demo/opt-out?invitation=abc',
  }

  it('posts the Welsh template with subject and body as personalisation, signed with the service’s key', async () => {
    const transport = notifyTransport({ apiKey: `test_key-${SERVICE}-${SECRET}`, templateId: TEMPLATE, templateIdCy: TEMPLATE_CY, baseUrl })
    await transport.send(mail)
    const [sent] = requests
    expect(sent).toMatchObject({ method: 'POST', url: '/v2/notifications/email' })
    expect(sent!.body).toEqual({
      template_id: TEMPLATE_CY,
      email_address: 'dewi@example.test',
      personalisation: { subject: mail.subject, body: mail.text },
      reference: 'recipient-id-1',
      one_click_unsubscribe_url: mail.optOutUrl,
    })
    // A JWT whose issuer is the service id (Notify's authentication), never the secret itself.
    const [, payload] = sent!.authorization.replace(/^Bearer /, '').split('.')
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({ iss: SERVICE })
    expect(sent!.authorization).not.toContain(SECRET)
    // English uses the main template.
    await transport.send({ ...mail, language: 'en' })
    expect(requests[1]!.body.template_id).toBe(TEMPLATE)
  })

  it('reports a refused address as permanent, and a server error as worth a retry, without the address', async () => {
    const transport = notifyTransport({ apiKey: `test_key-${SERVICE}-${SECRET}`, templateId: TEMPLATE, baseUrl })
    status = 400
    const refused = await transport.send(mail).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(MailSendError)
    expect(refused).toMatchObject({ code: 'notify:400', permanent: true })
    status = 503
    const unavailable = await transport.send(mail).catch((e: unknown) => e)
    expect(unavailable).toMatchObject({ code: 'notify:503', permanent: false })
    expect(String((unavailable as Error).message)).not.toContain('dewi')
  })
})
