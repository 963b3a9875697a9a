import { emailMessages, formatClosingDate } from '#app/i18n/email.ts'

/*
 * One invitation or reminder e-mail, in the recipient's language, from the message catalogue
 * (app/i18n/email.ts): plain text, and simple HTML in which every value is escaped.
 */

/** Addresses are deleted this many days after the first message at the latest (decision 020). */
export const ADDRESS_KEEP_DAYS = 60

export interface InvitationEmailInput {
  kind: 'invitation' | 'reminder'
  lang: 'en' | 'cy'
  organisationName: string
  /** The personal single-use link. */
  link: string
  optOutUrl: string
  closesAt: Date | null
}

export interface ComposedEmail {
  subject: string
  text: string
  html: string
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

/** Line breaks and control characters in a name would break the message's layout (never its headers: nodemailer folds those). */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
}

export function composeInvitationEmail(input: InvitationEmailInput): ComposedEmail {
  const m = emailMessages[input.lang]
  const organisation = oneLine(input.organisationName)
  const isReminder = input.kind === 'reminder'
  const subject = isReminder ? m.reminderSubject(organisation) : m.invitationSubject(organisation)
  const body = isReminder ? m.reminderBody(organisation) : m.invitationBody(organisation)
  const closing = input.closesAt ? m.closingDate(formatClosingDate(input.closesAt, input.lang)) : null
  const keep = m.addressUse(String(ADDRESS_KEEP_DAYS))
  const text = [
    m.greeting,
    '',
    body,
    '',
    m.linkIntro,
    input.link,
    ...(closing ? ['', closing] : []),
    '',
    m.optional,
    m.optOut,
    input.optOutUrl,
    '',
    keep,
    '',
    m.signOff,
    organisation,
    '',
    m.doNotReply,
  ].join('\n')
  const p = (inner: string) => `<p>${inner}</p>`
  const a = (url: string) => `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`
  const html = [
    `<!doctype html><html lang="${input.lang}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #0b0c0c;">',
    p(escapeHtml(m.greeting)),
    p(escapeHtml(body)),
    p(`${escapeHtml(m.linkIntro)}<br>${a(input.link)}`),
    closing ? p(escapeHtml(closing)) : '',
    p(`${escapeHtml(m.optional)} ${escapeHtml(m.optOut)}<br>${a(input.optOutUrl)}`),
    p(escapeHtml(keep)),
    p(`${escapeHtml(m.signOff)}<br>${escapeHtml(organisation)}`),
    p(`<small>${escapeHtml(m.doNotReply)}</small>`),
    '</body></html>',
  ].join('\n')
  return { subject, text, html }
}
