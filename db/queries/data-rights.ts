import { and, eq } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { responses, surveys, surveyVersions } from '../schema.ts'

/*
 * A customer's data rights (UK GDPR articles 15 and 17): staff find one response by the receipt reference the
 * customer was shown (db/queries/responses.ts newReceipt), read it for a subject access request, and erase it
 * with eraseResponse (db/queries/responses.ts). Every query is scoped by the organisation: another
 * organisation's receipt or id finds nothing.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const RECEIPT = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$/

/**
 * A receipt as typed by staff from a phone call or a letter, in the form newReceipt makes: upper case, spaces
 * and dashes ignored, and the letters Crockford base32 leaves out read as the digits they look like (O as 0,
 * I and L as 1). Null when it cannot be a receipt.
 */
export function normaliseReceipt(input: string): string | null {
  const compact = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1')
  if (compact.length !== 10) return null
  const receipt = `${compact.slice(0, 4)}-${compact.slice(4, 8)}-${compact.slice(8)}`
  return RECEIPT.test(receipt) ? receipt : null
}

export interface StoredResponse {
  id: string
  receipt: string
  surveyId: string
  surveyTitle: string
  surveySlug: string
  version: number
  wave: string
  source: string
  submittedAt: Date
  answers: Record<string, unknown>
  segments: Record<string, unknown>
}

const columns = {
  id: responses.id,
  receipt: responses.receipt,
  surveyId: responses.surveyId,
  surveyTitle: surveys.title,
  surveySlug: surveys.slug,
  version: surveyVersions.version,
  wave: responses.wave,
  source: responses.source,
  submittedAt: responses.submittedAt,
  answers: responses.answers,
  segments: responses.segments,
}

async function findOne(db: Database, organisationId: string, where: ReturnType<typeof eq>): Promise<StoredResponse | null> {
  const rows = await db
    .select(columns)
    .from(responses)
    .innerJoin(surveys, eq(surveys.id, responses.surveyId))
    .innerJoin(surveyVersions, eq(surveyVersions.id, responses.surveyVersionId))
    .where(and(eq(responses.organisationId, organisationId), eq(surveys.organisationId, organisationId), where))
    .limit(1)
  const row = rows[0]
  if (!row) return null
  return { ...row, answers: row.answers as Record<string, unknown>, segments: row.segments as Record<string, unknown> }
}

/** The organisation's response with this receipt (any spelling normaliseReceipt accepts), or null. */
export async function findResponseByReceipt(db: Database, organisationId: string, receipt: string): Promise<StoredResponse | null> {
  const normalised = normaliseReceipt(receipt)
  if (!normalised || !UUID.test(organisationId)) return null
  return findOne(db, organisationId, eq(responses.receipt, normalised))
}

/** The organisation's response with this id, or null. */
export async function findResponseById(db: Database, organisationId: string, responseId: string): Promise<StoredResponse | null> {
  if (!UUID.test(responseId) || !UUID.test(organisationId)) return null
  return findOne(db, organisationId, eq(responses.id, responseId))
}
