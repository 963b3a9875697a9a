import { z } from 'zod'
import { parseCsv } from '#analysis/parse-csv.ts'

/*
 * The address list staff upload or paste on the e-mail invitations page (app/routes/app.surveys.$surveyId.
 * invitations.email.tsx): one address per line, or a CSV file with an `email` column and, optionally, a
 * `language` column (en/cy, English/Welsh/Cymraeg). Every address is checked with zod; problems are reported
 * by line in plain English and nothing is sent until the list is clean. Repeats are left out (compared without
 * regard to case) and counted.
 */

/** At most this many addresses in one batch: a bigger list is split into several batches. */
export const MAX_RECIPIENTS_PER_BATCH = 5_000
/** The list (pasted or uploaded) may be at most this big: 5,000 long addresses with a language column. */
export const MAX_ADDRESS_LIST_BYTES = 512 * 1024
/** At most this many problems are listed; the rest are counted. */
const MAX_PROBLEMS_LISTED = 20

export type RecipientLanguage = 'en' | 'cy'

export interface ParsedRecipient {
  email: string
  language: RecipientLanguage
}

export type AddressListResult =
  | { ok: true; recipients: ParsedRecipient[]; duplicates: number }
  | { ok: false; problems: string[] }

const emailSchema = z
  .email({ message: 'is not an e-mail address' })
  .max(254, { message: 'is longer than an e-mail address can be' })

const LANGUAGE_WORDS: Record<string, RecipientLanguage> = {
  en: 'en',
  eng: 'en',
  english: 'en',
  saesneg: 'en',
  cy: 'cy',
  cym: 'cy',
  welsh: 'cy',
  cymraeg: 'cy',
}

/** Quote a value for a message, shortened so one silly line cannot fill the page. */
function quoted(value: string): string {
  const short = value.length > 60 ? `${value.slice(0, 57)}…` : value
  return `“${short}”`
}

interface Row {
  line: number
  email: string
  language: string
}

/** The rows of the list with their line numbers, or the reason the file cannot be read. */
function rowsOf(text: string): { rows: Row[] } | { problem: string } {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? ''
  const looksLikeCsv = firstLine.includes(',') || /^\s*"?e-?mail/i.test(firstLine)
  if (!looksLikeCsv) {
    return {
      rows: text
        .split(/\r?\n/)
        .map((raw, i) => ({ line: i + 1, email: raw.trim(), language: '' }))
        .filter((row) => row.email !== ''),
    }
  }
  let records: string[][]
  try {
    records = parseCsv(text.endsWith('\n') ? text : `${text}\n`)
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^parseCsv: /, '') : 'it is not valid CSV'
    return { problem: `The file could not be read as CSV: ${reason}.` }
  }
  const header = records[0]!.map((h) => h.trim().toLowerCase().replace(/[\s_-]/g, ''))
  const emailColumn = header.findIndex((h) => h === 'email' || h === 'emailaddress' || h === 'ebost')
  const languageColumn = header.findIndex((h) => h === 'language' || h === 'lang' || h === 'iaith')
  if (emailColumn < 0) {
    return { problem: 'The first line of the file must name the columns, one of them “email” (and, if you like, “language”).' }
  }
  return {
    rows: records
      .slice(1)
      .map((record, i) => ({
        line: i + 2,
        email: (record[emailColumn] ?? '').trim(),
        language: languageColumn >= 0 ? (record[languageColumn] ?? '').trim() : '',
      }))
      .filter((row) => row.email !== '' || row.language !== ''),
  }
}

/**
 * Read an address list. `defaultLanguage` applies to every address without a language of its own.
 *
 * @example
 * parseAddressList('a@example.org\nA@example.org\nnot-an-address', 'en')
 * // { ok: false, problems: ['Line 3: “not-an-address” is not an e-mail address.'] }
 */
export function parseAddressList(text: string, defaultLanguage: RecipientLanguage): AddressListResult {
  const read = rowsOf(text.replace(/^\uFEFF/, ''))
  if ('problem' in read) return { ok: false, problems: [read.problem] }
  const problems: string[] = []
  const seen = new Set<string>()
  const recipients: ParsedRecipient[] = []
  let duplicates = 0
  for (const row of read.rows) {
    const checked = emailSchema.safeParse(row.email)
    let language: RecipientLanguage | undefined = defaultLanguage
    if (row.language !== '') language = LANGUAGE_WORDS[row.language.toLowerCase()]
    if (!checked.success) {
      problems.push(
        row.email === ''
          ? `Line ${row.line}: there is no e-mail address.`
          : `Line ${row.line}: ${quoted(row.email)} ${checked.error.issues[0]!.message}.`,
      )
    } else if (!language) {
      problems.push(`Line ${row.line}: the language ${quoted(row.language)} is not one we know: use en or cy (English or Welsh).`)
    } else {
      const key = checked.data.toLowerCase()
      if (seen.has(key)) duplicates++
      else {
        seen.add(key)
        recipients.push({ email: checked.data, language })
      }
    }
  }
  if (problems.length > MAX_PROBLEMS_LISTED) {
    const more = problems.length - MAX_PROBLEMS_LISTED
    problems.splice(MAX_PROBLEMS_LISTED, problems.length, `…and ${more.toLocaleString('en-GB')} more ${more === 1 ? 'line' : 'lines'} like these.`)
  }
  if (problems.length > 0) return { ok: false, problems }
  if (recipients.length === 0) return { ok: false, problems: ['There are no e-mail addresses in the list.'] }
  if (recipients.length > MAX_RECIPIENTS_PER_BATCH) {
    return {
      ok: false,
      problems: [
        `The list has ${recipients.length.toLocaleString('en-GB')} addresses: send at most ${MAX_RECIPIENTS_PER_BATCH.toLocaleString('en-GB')} in one batch, and the rest in another.`,
      ],
    }
  }
  return { ok: true, recipients, duplicates }
}
