import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { readFileSync } from 'node:fs'
import { SMTPServer } from 'smtp-server'

/**
 * A real SMTP server in-process (smtp-server) with STARTTLS and a throwaway certificate for 127.0.0.1, for
 * tests that follow a message through the app's real mail path (app/utils/mail.server.ts, nodemailer with
 * requireTLS). `env` is what the app needs to send to it (SMTP_URL, SMTP_TLS_CA_FILE).
 */
export interface ReceivedMail {
  to: string[]
  raw: string
  /** The text body (the text/plain part of a multipart message), with its transfer encoding undone. */
  text: string
  /** The text/html part, decoded, or '' for a text-only message. */
  html: string
  secure: boolean
}

export interface TestSmtp {
  port: number
  env: { SMTP_URL: string; SMTP_TLS_CA_FILE: string }
  messages: ReceivedMail[]
  /** The first message to `to` received after `since` messages (default: any), waiting up to `timeoutMs`. */
  waitFor(to: string, options?: { since?: number; timeoutMs?: number }): Promise<ReceivedMail>
  close(): Promise<void>
}

function decodeQuotedPrintable(body: string): string {
  return Buffer.from(
    body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8')
}

function decodedBody(head: string, body: string): string {
  if (/content-transfer-encoding:\s*base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
  if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) return decodeQuotedPrintable(body)
  return body
}

/** The decoded part of the given type: the message itself when it is not multipart. */
function partOf(raw: string, type: 'text/plain' | 'text/html'): string {
  const split = raw.search(/\r?\n\r?\n/)
  const head = raw.slice(0, split)
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '')
  const boundary = /content-type:\s*multipart\/[a-z]+;[\s\S]*?boundary="?([^";\r\n]+)"?/i.exec(head)?.[1]
  if (!boundary) {
    const declared = /content-type:\s*([a-z]+\/[a-z]+)/i.exec(head)?.[1]?.toLowerCase() ?? 'text/plain'
    return declared === type ? decodedBody(head, body) : ''
  }
  for (const part of body.split(`--${boundary}`).slice(1)) {
    if (part.startsWith('--')) break
    const found = partOf(part.replace(/^\r?\n/, ''), type)
    if (found !== '') return found
  }
  return ''
}

function textOf(raw: string): string {
  return partOf(raw, 'text/plain')
}

export interface TestSmtpOptions {
  /** An SMTP reply code to refuse a recipient with (e.g. 451 to try later, 550 no such mailbox), or null to accept. */
  refuseRecipient?: (address: string, attempt: number) => number | null
}

export async function startTestSmtp(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cse-smtp-'))
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
    { stdio: 'ignore' },
  )
  const messages: ReceivedMail[] = []
  const attempts = new Map<string, number>()
  const server = new SMTPServer({
    key: readFileSync(path.join(dir, 'key.pem')),
    cert: readFileSync(path.join(dir, 'cert.pem')),
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    onRcptTo(address, _session, callback) {
      const attempt = (attempts.get(address.address) ?? 0) + 1
      attempts.set(address.address, attempt)
      const code = options.refuseRecipient?.(address.address.toLowerCase(), attempt) ?? null
      if (code === null) return callback()
      return callback(Object.assign(new Error(code >= 500 ? 'No such mailbox' : 'Try again later'), { responseCode: code }))
    },
    onData(stream, session, callback) {
      let raw = ''
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => (raw += chunk))
      stream.on('end', () => {
        messages.push({
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw,
          text: textOf(raw),
          html: partOf(raw, 'text/html'),
          secure: session.secure,
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  return {
    port,
    env: { SMTP_URL: `smtp://127.0.0.1:${port}?from=insight@example.test`, SMTP_TLS_CA_FILE: path.join(dir, 'cert.pem') },
    messages,
    async waitFor(to, options = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? 15_000)
      for (;;) {
        const found = messages.slice(options.since ?? 0).find((m) => m.to.includes(to.toLowerCase()))
        if (found) return found
        if (Date.now() > deadline) throw new Error(`waitFor: no message to ${to} within the time allowed`)
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The reset link in a password-reset message. */
export function resetLinkIn(mail: ReceivedMail): string {
  const match = /https?:\/\/\S+\/reset-password\?token=[A-Za-z0-9_-]+/.exec(mail.text)
  if (!match) throw new Error('resetLinkIn: no reset link in the message')
  return match[0]
}
