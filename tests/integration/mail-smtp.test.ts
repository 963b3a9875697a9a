import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendInvitationMail } from '#app/utils/mail.server.ts'

/*
 * Issue 12, finding 7: the hand-written SMTP client sent AUTH PLAIN without TLS when the server did not offer
 * STARTTLS, and wrote non-ASCII subjects unencoded. A real SMTP server runs in-process (smtp-server) and the
 * test reads what arrives.
 */
let dir: string
let key: Buffer
let cert: Buffer
let caFile: string

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cse-smtp-'))
  // A throwaway certificate for 127.0.0.1, trusted by the mailer through SMTP_TLS_CA_FILE.
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' })
  key = readFileSync(path.join(dir, 'key.pem'))
  cert = readFileSync(path.join(dir, 'cert.pem'))
  caFile = path.join(dir, 'cert.pem')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Received {
  raw: string
  auths: Array<{ user: string | undefined; secure: boolean }>
  secureAtData: boolean[]
}

async function startSmtp(options: Partial<SMTPServerOptions>): Promise<{ port: number; received: Received; close(): Promise<void> }> {
  const received: Received = { raw: '', auths: [], secureAtData: [] }
  const server = new SMTPServer({
    key,
    cert,
    logger: false,
    disableReverseLookup: true,
    // Let the client try AUTH even without TLS, as a misconfigured relay would: the client must refuse.
    allowInsecureAuth: true,
    onAuth(auth, session, callback) {
      received.auths.push({ user: auth.username, secure: session.secure })
      callback(null, { user: auth.username })
    },
    onData(stream, session, callback) {
      received.secureAtData.push(session.secure)
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => (received.raw += chunk))
      stream.on('end', () => callback())
    },
    ...options,
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** RFC 2047 encoded-words (B or Q) back to text. */
function decodeWords(header: string): string {
  return header
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    )
}

function headerOf(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ')
  return head.split(/\r?\n/).find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim() ?? ''
}

const ORGANISATION = 'Cyngor Sir Ynys Môn – Tîm Gwasanaeth ‘Cwsmeriaid’'
const INVITER = 'Siân Ní Bhriain'
const LINK = 'https://insight.example.gov.uk/invite/AbCdEf0123456789_-AbCdEf0123456789_-AbCdE'

describe('mail through nodemailer', () => {
  it('upgrades with STARTTLS before AUTH, and encodes a non-ASCII subject so it arrives intact', async () => {
    const smtp = await startSmtp({})
    try {
      const sent = await sendInvitationMail(
        { to: 'new.person@example.test', organisationName: ORGANISATION, link: LINK, inviterName: INVITER },
        { smtpUrl: `smtp://mailer:s3cret@127.0.0.1:${smtp.port}?from=insight@example.test`, tlsCaFile: caFile },
      )
      expect(sent).toBe(true)
      expect(smtp.received.auths).toEqual([{ user: 'mailer', secure: true }])
      expect(smtp.received.secureAtData).toEqual([true])
      const subject = headerOf(smtp.received.raw, 'Subject')
      // Every header line is ASCII, and the subject decodes to the original text.
      expect(/^[\x20-\x7e]*$/.test(subject)).toBe(true)
      expect(decodeWords(subject)).toBe(`${INVITER} invited you to ${ORGANISATION} on CSE Insight`)
      expect(headerOf(smtp.received.raw, 'To')).toContain('new.person@example.test')
      expect(decodeWords(headerOf(smtp.received.raw, 'From'))).toContain('insight@example.test')
      // The link survives the body's transfer encoding.
      const body = smtp.received.raw.split(/\r?\n\r?\n/).slice(1).join('\n\n').replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
      expect(body).toContain(LINK)
    } finally {
      await smtp.close()
    }
  })

  it('sends nothing, and never offers the password, when the server does not offer STARTTLS', async () => {
    const smtp = await startSmtp({ hideSTARTTLS: true, disabledCommands: ['STARTTLS'] })
    try {
      const sent = await sendInvitationMail(
        { to: 'new.person@example.test', organisationName: ORGANISATION, link: LINK, inviterName: INVITER },
        { smtpUrl: `smtp://mailer:s3cret@127.0.0.1:${smtp.port}`, tlsCaFile: caFile },
      )
      expect(sent).toBe(false)
      expect(smtp.received.auths).toEqual([])
      expect(smtp.received.raw).toBe('')
    } finally {
      await smtp.close()
    }
  })

  it('refuses a server whose certificate it cannot verify', async () => {
    const smtp = await startSmtp({})
    try {
      const sent = await sendInvitationMail(
        { to: 'new.person@example.test', organisationName: 'Org', link: LINK, inviterName: 'Admin' },
        { smtpUrl: `smtp://mailer:s3cret@127.0.0.1:${smtp.port}` },
      )
      expect(sent).toBe(false)
      expect(smtp.received.auths).toEqual([])
    } finally {
      await smtp.close()
    }
  })

  it('keeps line breaks in names from adding headers', async () => {
    const smtp = await startSmtp({})
    try {
      const sent = await sendInvitationMail(
        { to: 'new.person@example.test', organisationName: 'Evil\r\nBcc: victim@example.test', link: LINK, inviterName: 'Admin' },
        { smtpUrl: `smtp://mailer:s3cret@127.0.0.1:${smtp.port}`, tlsCaFile: caFile },
      )
      expect(sent).toBe(true)
      const head = smtp.received.raw.split(/\r?\n\r?\n/, 1)[0]!
      expect(head).not.toMatch(/^Bcc:/im)
    } finally {
      await smtp.close()
    }
  })
})
