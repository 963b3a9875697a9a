import { Form } from '@remix-run/react'
import type { EmailInvitationsPageData } from '#app/routes/app.surveys.$surveyId.invitations.email.server.ts'

/** One e-mail batch as the page's loader gives it (db/queries/invitation-mailings.ts listMailings). */
export type MailingRow = EmailInvitationsPageData['mailings'][number]

const n = (count: number) => count.toLocaleString('en-GB')
const day = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' })

/** Answered as a share of those whose invitation was sent, with the count it rests on. */
function rate(answered: number, sent: number): string {
  return sent > 0 ? `${((answered / sent) * 100).toFixed(1)}% (${n(answered)} of ${n(sent)})` : '–'
}

/** Progress and response rate by batch, with a reminder button for each batch that can still have one. */
export function MailingTable({ mailings, maxReminders, canRemind }: { mailings: MailingRow[]; maxReminders: number; canRemind: boolean }) {
  return (
    <table className="data" data-testid="mailings">
      <caption>E-mail batches, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Batch</th>
          <th scope="col" className="num">Addresses</th>
          <th scope="col" className="num">Waiting</th>
          <th scope="col" className="num">Sent</th>
          <th scope="col" className="num">Failed</th>
          <th scope="col" className="num">Answered</th>
          <th scope="col">Response rate</th>
          <th scope="col">Reminders</th>
        </tr>
      </thead>
      <tbody>
        {mailings.map((m) => (
          <tr key={m.id} data-testid={`mailing-${m.id}`}>
            <th scope="row">
              {m.name}
              <br />
              <span className="hint">sent {day(m.createdAt)}</span>
            </th>
            <td className="num">{n(m.recipients)}</td>
            <td className="num" data-testid="queued">{n(m.queued)}</td>
            <td className="num" data-testid="sent">{n(m.sent)}</td>
            <td className="num" data-testid="failed">{n(m.failed)}</td>
            <td className="num" data-testid="answered">{n(m.answered)}</td>
            <td data-testid="rate">{rate(m.answered, m.sent)}</td>
            <td>
              <p className="hint">
                {n(m.remindersSent)} of {maxReminders} sent
                {m.reminderQueued > 0 ? `; ${n(m.reminderQueued)} waiting` : ''}
                {m.reminderFailed > 0 ? `; ${n(m.reminderFailed)} failed` : ''}.{' '}
                {m.addressesDeletedAt
                  ? `Addresses deleted ${day(m.addressesDeletedAt)}.`
                  : `Addresses deleted by ${day(m.addressesDeleteAfter)}.`}
              </p>
              {canRemind && !m.addressesDeletedAt && m.remindersSent < maxReminders && m.remindable > 0 && m.queued === 0 ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="remind" />
                  <input type="hidden" name="mailingId" value={m.id} />
                  <button type="submit" className="button secondary">
                    Remind {n(m.remindable)} who {m.remindable === 1 ? 'has' : 'have'} not answered
                    <span className="sr-only"> in “{m.name}”</span>
                  </button>
                </Form>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
