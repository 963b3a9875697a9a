import type { Database } from '#db/client.ts'
import { writeAudit } from '#db/queries/accounts.ts'
import { findResponseById, type StoredResponse } from '#db/queries/data-rights.ts'
import { eraseResponse } from '#db/queries/responses.ts'
import { toCsv, type CsvValue } from '#app/utils/csv.ts'

/*
 * A customer's data rights (UK GDPR art. 15 access, art. 17 erasure) over one response, found by the receipt
 * reference the customer was shown (db/queries/data-rights.ts). Both actions are audited in the organisation's
 * log with the response's id only: the audit entry holds no answers and no receipt, so after an erasure nothing
 * in the database links back to the customer.
 */

export type SubjectAccessFormat = 'json' | 'csv'

/** A response as the customer would be given it: what they answered, when, and to which survey. */
export function subjectAccessDocument(response: StoredResponse) {
  return {
    receipt: response.receipt,
    survey: { title: response.surveyTitle, link: `/s/${response.surveySlug}`, version: response.version, wave: response.wave },
    submittedAt: response.submittedAt.toISOString(),
    channel: response.source,
    answers: response.answers,
    customerGroups: response.segments,
    notStored: 'No IP address, browser details, name or contact details are stored with survey responses.',
  }
}

function cell(value: unknown): CsvValue {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.join('; ')
  return JSON.stringify(value)
}

/**
 * The subject access export of one response as a file: JSON, or CSV with one row per item (every field quoted
 * and formula-neutralised by app/utils/csv.ts, like every other export).
 */
export function subjectAccessFile(response: StoredResponse, format: SubjectAccessFormat): { body: string; contentType: string; filename: string } {
  const doc = subjectAccessDocument(response)
  const filename = `response-${response.receipt}.${format}`
  if (format === 'json') return { body: `${JSON.stringify(doc, null, 2)}\n`, contentType: 'application/json; charset=utf-8', filename }
  const rows: CsvValue[][] = [
    ['receipt', '', doc.receipt],
    ['survey', 'title', doc.survey.title],
    ['survey', 'link', doc.survey.link],
    ['survey', 'version', doc.survey.version],
    ['survey', 'wave', doc.survey.wave],
    ['submitted_at', '', doc.submittedAt],
    ['channel', '', doc.channel],
    ...Object.entries(doc.answers).map(([name, value]): CsvValue[] => ['answer', name, cell(value)]),
    ...Object.entries(doc.customerGroups).map(([name, value]): CsvValue[] => ['customer_group', name, cell(value)]),
  ]
  return { body: toCsv(['item', 'name', 'value'], rows, { bom: true }), contentType: 'text/csv; charset=utf-8', filename }
}

/** Export one response for a subject access request, audited as `response.exported`. Null when it is not the organisation's. */
export async function exportResponse(
  db: Database,
  actor: { organisationId: string; userId: string },
  responseId: string,
  format: SubjectAccessFormat,
): Promise<{ body: string; contentType: string; filename: string } | null> {
  const response = await findResponseById(db, actor.organisationId, responseId)
  if (!response) return null
  await writeAudit(db, {
    ...actor,
    action: 'response.exported',
    targetType: 'response',
    targetId: response.id,
    details: { surveyId: response.surveyId, format },
  })
  return subjectAccessFile(response, format)
}

/**
 * Erase one response everywhere (eraseResponse: the row, and its share of every maintained aggregate in the
 * same statement), audited as `response.erased` in the same transaction. False when it is not the
 * organisation's (or already erased).
 */
export async function eraseOneResponse(db: Database, actor: { organisationId: string; userId: string }, responseId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const t = tx as unknown as Database
    const response = await findResponseById(t, actor.organisationId, responseId)
    if (!response) return false
    if (!(await eraseResponse(t, actor.organisationId, responseId))) return false
    await writeAudit(t, {
      ...actor,
      action: 'response.erased',
      targetType: 'response',
      targetId: responseId,
      details: { surveyId: response.surveyId, wave: response.wave },
    })
    return true
  })
}
