import { createTransport, type Transporter } from 'nodemailer'
import { NotifyClient } from 'notifications-node-client'
import { getEnv } from '#app/env.server.ts'
import { mailTransportOptions, type MailConfig } from '#app/utils/mail.server.ts'

/*
 * How invitation e-mails to the public leave (docs/decisions/020-email-invitations.md): SMTP through nodemailer
 * (app/utils/mail.server.ts: TLS required, certificates verified), or GOV.UK Notify through its own client
 * when NOTIFY_API_KEY is set. Both throw a MailSendError that says whether trying again could help; neither
 * error carries the address or the message (nodemailer's and axios's errors can quote both, so they are
 * reduced to a code here and never logged whole).
 */

export interface OutgoingMail {
  to: string
  subject: string
  text: string
  html: string
  language: 'en' | 'cy'
  /** Our own id for the message (the recipient's id): Notify keeps it as the notification's reference. */
  reference: string
  /** A page that stops reminders, offered as one-click unsubscribe where the transport supports it. */
  optOutUrl: string
}

export class MailSendError extends Error {
  constructor(
    /** e.g. 'smtp:ECONNECTION', 'smtp:EENVELOPE:550', 'notify:400' */
    readonly code: string,
    /** A refusal that another attempt cannot change (an address the server rejects outright). */
    readonly permanent: boolean,
  ) {
    super(`mail not sent (${code})`)
    this.name = 'MailSendError'
  }
}

export interface MailTransport {
  kind: 'smtp' | 'notify'
  send(mail: OutgoingMail): Promise<void>
  close(): void
}

/** SMTP with nodemailer, one connection for a run of messages (closed by `close`). */
export function smtpTransport(config: MailConfig): MailTransport {
  const { options, from } = mailTransportOptions(config)
  let transport: Transporter | undefined
  return {
    kind: 'smtp',
    async send(mail) {
      transport ??= createTransport(options)
      try {
        await transport.sendMail({
          from: { name: 'CSE Insight', address: from },
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          headers: { 'Content-Language': mail.language, 'List-Unsubscribe': `<${mail.optOutUrl}>` },
          disableFileAccess: true,
          disableUrlAccess: true,
        })
      } catch (error) {
        const e = error as { code?: unknown; responseCode?: unknown }
        const code = typeof e.code === 'string' ? e.code : 'EUNKNOWN'
        const status = typeof e.responseCode === 'number' ? e.responseCode : undefined
        // A 5xx reply to the envelope (550 no such mailbox, 553 bad address) will not change on a retry.
        const permanent = status !== undefined && status >= 500 && code === 'EENVELOPE'
        // A broken connection cannot be reused for the next message.
        transport.close()
        transport = undefined
        throw new MailSendError(`smtp:${code}${status ? `:${status}` : ''}`, permanent)
      }
    },
    close() {
      transport?.close()
      transport = undefined
    },
  }
}

export interface NotifyConfig {
  apiKey: string
  templateId: string
  templateIdCy?: string | undefined
  baseUrl?: string | undefined
}

/** The part of NotifyClient used here, so tests may inject a client instead of reaching Notify. */
export interface NotifyEmailClient {
  sendEmail(
    templateId: string,
    emailAddress: string,
    options: { personalisation: Record<string, string>; reference: string; oneClickUnsubscribeURL?: string },
  ): Promise<unknown>
}

/**
 * GOV.UK Notify: the template (Welsh one when configured) fills its subject and body from `subject` and `body`.
 * Notify renders its own HTML from the plain text, so `html` is not sent.
 */
export function notifyTransport(config: NotifyConfig, client?: NotifyEmailClient): MailTransport {
  const notify: NotifyEmailClient =
    client ?? (config.baseUrl ? new NotifyClient(config.baseUrl, config.apiKey) : new NotifyClient(config.apiKey))
  return {
    kind: 'notify',
    async send(mail) {
      const template = mail.language === 'cy' && config.templateIdCy ? config.templateIdCy : config.templateId
      try {
        await notify.sendEmail(template, mail.to, {
          personalisation: { subject: mail.subject, body: mail.text },
          reference: mail.reference,
          oneClickUnsubscribeURL: mail.optOutUrl,
        })
      } catch (error) {
        const status = (error as { response?: { status?: unknown } }).response?.status
        if (typeof status === 'number') {
          // 400 (a bad address or template) and 403 (the key) will not change; 429 and 5xx may.
          throw new MailSendError(`notify:${status}`, status >= 400 && status < 500 && status !== 429)
        }
        const code = (error as { code?: unknown }).code
        throw new MailSendError(`notify:${typeof code === 'string' ? code : 'ENETWORK'}`, false)
      }
    },
    close() {},
  }
}

/** Which transport the environment configures: Notify when its key is set, else SMTP_URL, else none. */
export function configuredMailKind(): 'smtp' | 'notify' | null {
  const env = getEnv()
  if (env.NOTIFY_API_KEY) return 'notify'
  if (env.SMTP_URL) return 'smtp'
  return null
}

/** The configured transport; null when e-mail is not set up. */
export function mailTransportFromEnv(): MailTransport | null {
  const env = getEnv()
  if (env.NOTIFY_API_KEY && env.NOTIFY_TEMPLATE_ID) {
    return notifyTransport({
      apiKey: env.NOTIFY_API_KEY,
      templateId: env.NOTIFY_TEMPLATE_ID,
      templateIdCy: env.NOTIFY_TEMPLATE_ID_CY,
      baseUrl: env.NOTIFY_BASE_URL,
    })
  }
  if (env.SMTP_URL) return smtpTransport({ smtpUrl: env.SMTP_URL, tlsCaFile: env.SMTP_TLS_CA_FILE })
  return null
}
