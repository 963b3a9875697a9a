import { readFileSync } from 'node:fs'
import { createTransport, type Transporter } from 'nodemailer'
import type SMTPTransport from 'nodemailer/lib/smtp-transport'
import { getEnv } from '#app/env.server.ts'
import { log, logError } from './logger.server.ts'

/**
 * E-mail through SMTP_URL with nodemailer (docs/decisions/014-nodemailer.md), e.g.
 * smtps://user:pass@smtp.example.org:465?from=insight@example.org (TLS from the start) or
 * smtp://user:pass@smtp.example.org:587?from=… (STARTTLS, required). No mail server is needed: without
 * SMTP_URL nothing is sent and the users page shows the link to copy.
 *
 * - Nothing is sent, and no password is ever offered, over an unencrypted connection: `requireTLS` makes the
 *   message fail when the server does not offer STARTTLS (issue 12, finding 7: the hand-written client sent
 *   AUTH PLAIN in the clear). Only a relay without credentials may be used without TLS, and only when the URL
 *   says so with `?tls=optional` (e.g. a local relay on the same host).
 * - Certificates are verified; SMTP_TLS_CA_FILE adds a private CA.
 * - Headers are encoded by nodemailer (RFC 2047), so non-ASCII subjects and names arrive intact, and line
 *   breaks in them cannot add headers.
 * - The message is never logged: it may carry a one-time token. Failures are logged by error name and code.
 */
export interface MailConfig {
  smtpUrl: string | undefined
  tlsCaFile?: string | undefined
}

function configFromEnv(): MailConfig {
  const env = getEnv()
  return { smtpUrl: env.SMTP_URL, tlsCaFile: env.SMTP_TLS_CA_FILE }
}

/** nodemailer's transport options for an SMTP_URL; throws (naming the function) when the URL is unusable. */
export function mailTransportOptions(config: MailConfig): { options: SMTPTransport.Options; from: string } {
  if (!config.smtpUrl) throw new Error('mailTransportOptions: SMTP_URL is not set')
  const url = new URL(config.smtpUrl)
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new Error('mailTransportOptions: SMTP_URL must start with smtp:// or smtps://')
  const secure = url.protocol === 'smtps:'
  const hasCredentials = url.username !== ''
  const tlsOptional = url.searchParams.get('tls') === 'optional'
  if (tlsOptional && hasCredentials)
    throw new Error('mailTransportOptions: tls=optional is only allowed for a relay without credentials')
  const options: SMTPTransport.Options = {
    host: url.hostname,
    port: Number(url.port || (secure ? 465 : 587)),
    secure,
    requireTLS: !secure && !tlsOptional,
    auth: hasCredentials
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    tls: {
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      servername: url.hostname,
      ...(config.tlsCaFile ? { ca: readFileSync(config.tlsCaFile) } : {}),
    },
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
    name: 'cse-insight',
  }
  const from = url.searchParams.get('from') ?? `no-reply@${url.hostname}`
  return { options, from }
}

/** Send one plain-text message. Returns false (and logs the error's name and code) when it was not sent. */
export async function sendMail(
  message: { to: string; subject: string; text: string; reason: string },
  config: MailConfig = configFromEnv(),
): Promise<boolean> {
  if (!config.smtpUrl) return false
  let transport: Transporter | undefined
  try {
    const { options, from } = mailTransportOptions(config)
    transport = createTransport(options)
    await transport.sendMail({
      from: { name: 'CSE Insight', address: from },
      to: message.to,
      subject: message.subject,
      text: message.text,
      // One message per call, no pooling: nothing is queued in memory between requests.
      disableFileAccess: true,
      disableUrlAccess: true,
    })
    log('info', { event: 'mail.sent', reason: message.reason })
    return true
  } catch (error) {
    logError('mail.failed', error, { reason: message.reason })
    return false
  } finally {
    transport?.close()
  }
}

export async function sendInvitationMail(
  input: { to: string; organisationName: string; link: string; inviterName: string },
  config: MailConfig = configFromEnv(),
): Promise<boolean> {
  return sendMail(
    {
      to: input.to,
      subject: `${input.inviterName} invited you to ${input.organisationName} on CSE Insight`,
      text: [
        `${input.inviterName} has invited you to join ${input.organisationName} on CSE Insight.`,
        '',
        'Open this link to accept (it works once, for 7 days):',
        input.link,
        '',
        'If you did not expect this, ignore this message.',
      ].join('\n'),
      reason: 'staff_invitation',
    },
    config,
  )
}
