import { sql, type SQL } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'

/*
 * Free-text answers (CSE 1.3.5) of one survey of one organisation. Each response is fanned out once per
 * free-text question, so a page is a list of (response, question, text). PostgreSQL filters, counts and pages;
 * Node only ever sees one page of comments.
 */

export const COMMENTS_PAGE_SIZE = 50

export interface CommentFilters {
  /** free-text question names to read (the survey's comment questions, or those tied to one driver) */
  questions: string[]
  /** plain text to look for, case-insensitive; % and _ match themselves */
  search?: string
  waves?: string[]
  /** segment name → accepted values (a response matches when its value is one of them) */
  segments?: Record<string, string[]>
  /**
   * segment name → values whose respondents are left out ('' = not stated): the small groups of the view, so
   * that comparing two lists cannot reveal a small group's comments
   */
  exclude?: Record<string, string[]>
}

export interface CommentRow {
  responseId: string
  question: string
  text: string
  wave: string
}

/** Escapes LIKE wildcards so the search box matches what was typed, literally (escape character: backslash). */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

function responseConditions(organisationId: string, surveyId: string, filters: Omit<CommentFilters, 'questions' | 'search'>): SQL[] {
  const out: SQL[] = [sql`r.organisation_id = ${organisationId}::uuid`, sql`r.survey_id = ${surveyId}::uuid`]
  if (filters.waves && filters.waves.length > 0) {
    out.push(sql`r.wave in (${sql.join(filters.waves.map((w) => sql`${w}`), sql`, `)})`)
  }
  for (const [segment, values] of Object.entries(filters.segments ?? {})) {
    if (values.length === 0) continue
    out.push(sql`r.segments->>${segment}::text in (${sql.join(values.map((v) => sql`${v}`), sql`, `)})`)
  }
  return out
}

function exclusionConditions(exclude: Record<string, string[]> | undefined): SQL[] {
  return Object.entries(exclude ?? {})
    .filter(([, values]) => values.length > 0)
    .map(([segment, values]) => sql`coalesce(r.segments->>${segment}::text, '') not in (${sql.join(values.map((v) => sql`${v}`), sql`, `)})`)
}

function commentConditions(organisationId: string, surveyId: string, filters: CommentFilters): SQL {
  const out = [...responseConditions(organisationId, surveyId, filters), ...exclusionConditions(filters.exclude)]
  // only real text: a skipped question is absent, null or blank
  out.push(sql`jsonb_typeof(r.answers->q.question) = 'string'`)
  out.push(sql`btrim(r.answers->>q.question) <> ''`)
  const search = filters.search?.trim()
  if (search) out.push(sql`(r.answers->>q.question) ilike ${likePattern(search)} escape '\\'`)
  return sql.join(out, sql` and `)
}

function questionsTable(questions: string[]): SQL {
  return sql`(values ${sql.join(
    questions.map((q) => sql`(${q}::text)`),
    sql`, `,
  )}) as q(question)`
}

/**
 * One page (1-based, 50 comments) of free-text answers, newest first, and how many match in all. Scoped by
 * organisation and survey, so another organisation's survey id matches nothing.
 */
export async function listComments(
  db: Database,
  organisationId: string,
  surveyId: string,
  filters: CommentFilters,
  page = 1,
  pageSize = COMMENTS_PAGE_SIZE,
): Promise<{ comments: CommentRow[]; total: number }> {
  if (filters.questions.length === 0) return { comments: [], total: 0 }
  const where = commentConditions(organisationId, surveyId, filters)
  const from = sql`responses r cross join ${questionsTable(filters.questions)}`
  const offset = (Math.max(1, Math.floor(page)) - 1) * pageSize
  const [countRows, pageRows] = await Promise.all([
    db.execute(sql`select count(*)::bigint as n from ${from} where ${where}`),
    db.execute(sql`
      select r.id::text as response_id, q.question, r.answers->>q.question as text, r.wave
        from ${from}
       where ${where}
       order by r.submitted_at desc, r.id desc, q.question
       limit ${pageSize} offset ${offset}`),
  ])
  const total = Number(rowsOf<{ n: number | string }>(countRows)[0]?.n ?? 0)
  const comments = rowsOf<{ response_id: string; question: string; text: string; wave: string }>(pageRows).map((r) => ({
    responseId: r.response_id,
    question: r.question,
    text: r.text,
    wave: r.wave,
  }))
  return { comments, total }
}

/**
 * The unweighted base of a group: responses of the survey in the chosen waves whose segments match every
 * segment filter. The comments page hides a group's comments when this is under the suppression threshold.
 */
export async function countGroupResponses(
  db: Database,
  organisationId: string,
  surveyId: string,
  filters: Omit<CommentFilters, 'questions' | 'search'>,
): Promise<number> {
  const where = sql.join(responseConditions(organisationId, surveyId, filters), sql` and `)
  const rows = rowsOf<{ n: number | string }>(await db.execute(sql`select count(*)::bigint as n from responses r where ${where}`))
  return Number(rows[0]?.n ?? 0)
}

/**
 * The groups of each segment with fewer than `threshold` respondents inside the view (the survey, its wave and
 * group filters), '' standing for "not stated". Their respondents' comments are left out of the view: a list
 * of comments cannot be suppressed by subtraction the way a table cell can, so it must never contain them.
 */
export async function smallGroupsInView(
  db: Database,
  organisationId: string,
  surveyId: string,
  filters: Omit<CommentFilters, 'questions' | 'search' | 'exclude'>,
  segments: ReadonlyArray<string>,
  threshold: number,
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  if (segments.length === 0 || threshold <= 0) return out
  const where = sql.join(responseConditions(organisationId, surveyId, filters), sql` and `)
  const rows = rowsOf<{ segment: string; value: string }>(
    await db.execute(sql`
      select s.segment, coalesce(r.segments->>s.segment, '') as value
        from responses r
        cross join (values ${sql.join(
          segments.map((name) => sql`(${name}::text)`),
          sql`, `,
        )}) as s(segment)
       where ${where}
       group by 1, 2
      having count(*) < ${threshold}`),
  )
  for (const row of rows) (out[row.segment] ??= []).push(row.value)
  return out
}
