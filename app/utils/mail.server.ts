import net from 'node:net'
import tls from 'node:tls'
import { getEnv } from '#app/env.server.ts'
import { log, logError } from './logger.server.ts'

/**
 * Optional invitation e-mail through SMTP_URL, e.g. smtps://user:pass@smtp.example.org:465?from=insight@example.org
 * or smtp://relay.internal:25 (STARTTLS is used when the server offers it). No mail server is needed: without
 * SMTP_URL nothing is sent and the users page shows the link to copy. The message is never logged: it
 * carries a one-time token.
 */
export async function sendInvitationMail(input: { to: string; organisationName: string; link: string; inviterName: string }): Promise<boolean> {
  const smtpUrl = getEnv().SMTP_URL
  if (!smtpUrl) return false
  try {
    const url = new URL(smtpUrl)
    const from = url.searchParams.get('from') ?? `no-reply@${url.hostname}`
    const body = [
      `From: CSE Insight <${from}>`,
      `To: <${input.to}>`,
      `Subject: ${input.inviterName} invited you to ${input.organisationName} on CSE Insight`.replace(/[\r\n]/g, ' '),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `${input.inviterName} has invited you to join ${input.organisationName} on CSE Insight.`,
      '',
      `Open this link to accept (it works once, for 7 days):`,
      input.link,
      '',
      'If you did not expect this, ignore this message.',
    ].join('\r\n')
    await smtpSend(url, from, input.to, body)
    log('info', { event: 'mail.sent', reason: 'staff_invitation' })
    return true
  } catch (error) {
    logError('mail.failed', error)
    return false
  }
}

async function smtpSend(url: URL, from: string, to: string, message: string): Promise<void> {
  const secure = url.protocol === 'smtps:'
  const port = Number(url.port || (secure ? 465 : 25))
  let socket: net.Socket = secure ? tls.connect({ host: url.hostname, port, servername: url.hostname }) : net.connect({ host: url.hostname, port })
  socket.setTimeout(15_000, () => socket.destroy(new Error('SMTP timeout')))
  let buffer = ''
  let waiting: ((line: string) => void) | null = null
  let failed: ((error: Error) => void) | null = null
  const attach = (s: net.Socket) => {
    s.setEncoding('utf8')
    s.on('data', (chunk: string) => {
      buffer += chunk
      // A reply is complete at a line whose 4th character is a space ("250 ok"), after any "250-…" lines.
      const match = buffer.match(/(?:^|\r\n)(\d{3}) [^\r\n]*\r\n$/)
      if (match && waiting) {
        const reply = buffer
        buffer = ''
        const resolve = waiting
        waiting = null
        resolve(reply)
      }
    })
    s.on('error', (error) => failed?.(error))
  }
  attach(socket)
  const read = () =>
    new Promise<string>((resolve, reject) => {
      waiting = resolve
      failed = reject
    })
  const expect = async (code: string) => {
    const reply = await read()
    if (!reply.split('\r\n').some((line) => line.startsWith(`${code} `))) throw new Error(`SMTP expected ${code}`)
    return reply
  }
  const command = async (line: string, code: string) => {
    const pending = expect(code)
    socket.write(line + '\r\n')
    return pending
  }
  await expect('220')
  let features = await command(`EHLO cse-insight`, '250')
  if (!secure && /STARTTLS/i.test(features)) {
    await command('STARTTLS', '220')
    socket = tls.connect({ socket, servername: url.hostname })
    attach(socket)
    features = await command(`EHLO cse-insight`, '250')
  }
  if (url.username) {
    const credentials = Buffer.from(`\0${decodeURIComponent(url.username)}\0${decodeURIComponent(url.password)}`).toString('base64')
    await command(`AUTH PLAIN ${credentials}`, '235')
  }
  await command(`MAIL FROM:<${from}>`, '250')
  await command(`RCPT TO:<${to.replace(/[<>\r\n]/g, '')}>`, '250')
  await command('DATA', '354')
  await command(message.replace(/\r\n\./g, '\r\n..') + '\r\n.', '250')
  socket.write('QUIT\r\n')
  socket.end()
}
