import { sql, type SQL } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'

/*
 * Free-text answers (CSE 1.3.5) of one survey series of one organisation (all its waves, as the insight report
 * and the dashboard cover). Each response is fanned out once per free-text question, so a page is a list of
 * (response, question, text). PostgreSQL filters, counts and pages; Node only ever sees one page of comments.
 * Which groups may show comments is the insight report's decision (report.rows[].commentsShown,
 * app/routes/app.surveys.$surveyId.comments.server.ts); this file only applies it.
 */

export const COMMENTS_PAGE_SIZE = 50

/** The responses comments come from: every survey of one series, inside one organisation. */
export interface CommentScope {
  organisationId: string
  seriesId: string
}

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
  /** waves whose respondents are left out (the small waves of the view) */
  excludeWaves?: string[]
  /** comments containing any of these words or phrases, case-insensitive (a theme's keywords, db/queries/themes.ts) */
  anyOf?: string[]
  /** only comments not yet coded into this theme (a survey_themes id) */
  notCodedWith?: string
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

function responseConditions(scope: CommentScope, filters: Omit<CommentFilters, 'questions' | 'search'>): SQL[] {
  const out: SQL[] = [
    sql`r.organisation_id = ${scope.organisationId}::uuid`,
    sql`r.survey_id in (select s.id from surveys s where s.organisation_id = ${scope.organisationId}::uuid and s.series_id = ${scope.seriesId}::uuid)`,
  ]
  if (filters.waves && filters.waves.length > 0) {
    out.push(sql`r.wave in (${sql.join(filters.waves.map((w) => sql`${w}`), sql`, `)})`)
  }
  for (const [segment, values] of Object.entries(filters.segments ?? {})) {
    if (values.length === 0) continue
    out.push(sql`r.segments->>${segment}::text in (${sql.join(values.map((v) => sql`${v}`), sql`, `)})`)
  }
  return out
}

function exclusionConditions(exclude: Record<string, string[]> | undefined, excludeWaves: string[] | undefined): SQL[] {
  const out = Object.entries(exclude ?? {})
    .filter(([, values]) => values.length > 0)
    .map(([segment, values]) => sql`coalesce(r.segments->>${segment}::text, '') not in (${sql.join(values.map((v) => sql`${v}`), sql`, `)})`)
  if (excludeWaves && excludeWaves.length > 0)
    out.push(sql`r.wave not in (${sql.join(excludeWaves.map((w) => sql`${w}`), sql`, `)})`)
  return out
}

function commentConditions(scope: CommentScope, filters: CommentFilters): SQL {
  const out = [...responseConditions(scope, filters), ...exclusionConditions(filters.exclude, filters.excludeWaves)]
  // only real text: a skipped question is absent, null or blank
  out.push(sql`jsonb_typeof(r.answers->q.question) = 'string'`)
  out.push(sql`btrim(r.answers->>q.question) <> ''`)
  const search = filters.search?.trim()
  if (search) out.push(sql`(r.answers->>q.question) ilike ${likePattern(search)} escape '\\'`)
  const anyOf = (filters.anyOf ?? []).map((k) => k.trim()).filter((k) => k !== '')
  if (filters.anyOf !== undefined)
    out.push(
      anyOf.length === 0
        ? sql`false`
        : sql`(${sql.join(anyOf.map((k) => sql`(r.answers->>q.question) ilike ${likePattern(k)} escape '\\'`), sql` or `)})`,
    )
  if (filters.notCodedWith)
    out.push(sql`not exists (select 1 from response_comment_themes ct
      where ct.organisation_id = ${scope.organisationId}::uuid and ct.response_id = r.id
        and ct.question_name = q.question and ct.theme_id = ${filters.notCodedWith}::uuid)`)
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
 * organisation and series, so another organisation's series id matches nothing.
 */
export async function listComments(
  db: Database,
  scope: CommentScope,
  filters: CommentFilters,
  page = 1,
  pageSize = COMMENTS_PAGE_SIZE,
): Promise<{ comments: CommentRow[]; total: number }> {
  if (filters.questions.length === 0) return { comments: [], total: 0 }
  const where = commentConditions(scope, filters)
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
