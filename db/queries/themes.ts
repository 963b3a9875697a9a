import { and, asc, eq, sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'
import { surveyThemes } from '../schema.ts'

/*
 * Comment themes (issue 14, item 3; docs/decisions/025-comment-themes.md): a survey's coding frame and the
 * codings of its series' comments. Every query is scoped by organisation; a theme is reached only through its
 * survey, and a comment only through a response of the survey's series, so another organisation's ids match
 * nothing. Which comments may be shown, and which theme figures published, is decided elsewhere (the insight
 * report and analysis/theme-frequency.ts).
 */

export interface ThemeRow {
  id: string
  name: string
  keywords: string[]
}

/** The survey a theme belongs to, inside one organisation, and the series its comments come from. */
export interface ThemeScope {
  organisationId: string
  surveyId: string
  seriesId: string
}

/** A comment: one response's answer to one free-text question. */
export interface CommentRef {
  responseId: string
  question: string
}

const keywordsOf = (v: unknown): string[] => (Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : [])

/** The coding frame of a survey, by name. */
export async function listThemes(db: Database, organisationId: string, surveyId: string): Promise<ThemeRow[]> {
  const rows = await db
    .select({ id: surveyThemes.id, name: surveyThemes.name, keywords: surveyThemes.keywords })
    .from(surveyThemes)
    .where(and(eq(surveyThemes.organisationId, organisationId), eq(surveyThemes.surveyId, surveyId)))
    .orderBy(asc(sql`lower(${surveyThemes.name})`), asc(surveyThemes.id))
  return rows.map((r) => ({ ...r, keywords: keywordsOf(r.keywords) }))
}

/** Adds a theme; null when the survey already has one of that name (ignoring case). */
export async function createTheme(
  db: Database,
  scope: { organisationId: string; surveyId: string; createdBy: string | null },
  values: { name: string; keywords: string[] },
): Promise<ThemeRow | null> {
  const [row] = await db
    .insert(surveyThemes)
    .values({ ...scope, name: values.name, keywords: values.keywords })
    .onConflictDoNothing()
    .returning({ id: surveyThemes.id, name: surveyThemes.name, keywords: surveyThemes.keywords })
  return row ? { ...row, keywords: keywordsOf(row.keywords) } : null
}

/** Renames a theme or changes its keywords; null when it is not the survey's or the new name is taken. */
export async function updateTheme(
  db: Database,
  organisationId: string,
  surveyId: string,
  themeId: string,
  values: { name: string; keywords: string[] },
): Promise<ThemeRow | null> {
  const taken = await db
    .select({ id: surveyThemes.id })
    .from(surveyThemes)
    .where(
      and(
        eq(surveyThemes.organisationId, organisationId),
        eq(surveyThemes.surveyId, surveyId),
        sql`lower(${surveyThemes.name}) = lower(${values.name})`,
        sql`${surveyThemes.id} <> ${themeId}::uuid`,
      ),
    )
  if (taken.length > 0) return null
  const [row] = await db
    .update(surveyThemes)
    .set({ name: values.name, keywords: values.keywords })
    .where(
      and(
        eq(surveyThemes.organisationId, organisationId),
        eq(surveyThemes.surveyId, surveyId),
        eq(surveyThemes.id, themeId),
      ),
    )
    .returning({ id: surveyThemes.id, name: surveyThemes.name, keywords: surveyThemes.keywords })
  return row ? { ...row, keywords: keywordsOf(row.keywords) } : null
}

/** Deletes a theme and its codings (cascade); false when it is not the survey's. */
export async function deleteTheme(db: Database, organisationId: string, surveyId: string, themeId: string): Promise<boolean> {
  const rows = await db
    .delete(surveyThemes)
    .where(
      and(
        eq(surveyThemes.organisationId, organisationId),
        eq(surveyThemes.surveyId, surveyId),
        eq(surveyThemes.id, themeId),
      ),
    )
    .returning({ id: surveyThemes.id })
  return rows.length > 0
}

/** The comments as a table `alias(response_id, question)`. */
function commentValues(comments: ReadonlyArray<CommentRef>, alias: 'c' | 'v' = 'c') {
  return sql`(values ${sql.join(
    comments.map((c) => sql`(${c.responseId}::uuid, ${c.question}::text)`),
    sql`, `,
  )}) as ${sql.identifier(alias)}(response_id, question)`
}

/** Conditions that a comment is real text of a response of the scope's series (alias r for responses). */
function seriesResponse(scope: ThemeScope) {
  return sql`r.organisation_id = ${scope.organisationId}::uuid
    and r.survey_id in (select s.id from surveys s where s.organisation_id = ${scope.organisationId}::uuid and s.series_id = ${scope.seriesId}::uuid)`
}

/**
 * Codes comments into the given themes of the survey. Comments that are not real text of a response of the
 * series, and themes that are not the survey's, are skipped; codings that exist already are kept.
 * Returns how many codings were added.
 */
export async function codeComments(
  db: Database,
  scope: ThemeScope,
  themeIds: ReadonlyArray<string>,
  comments: ReadonlyArray<CommentRef>,
  codedBy: string | null,
): Promise<number> {
  if (themeIds.length === 0 || comments.length === 0) return 0
  const result = await db.execute(sql`
    insert into response_comment_themes (organisation_id, response_id, question_name, theme_id, coded_by)
    select ${scope.organisationId}::uuid, r.id, c.question, t.id, ${codedBy}::uuid
      from ${commentValues(comments)}
      join responses r on r.id = c.response_id
      join survey_themes t on t.organisation_id = ${scope.organisationId}::uuid
                          and t.survey_id = ${scope.surveyId}::uuid
                          and t.id in (${sql.join(themeIds.map((id) => sql`${id}::uuid`), sql`, `)})
     where ${seriesResponse(scope)}
       and jsonb_typeof(r.answers->c.question) = 'string' and btrim(r.answers->>c.question) <> ''
    on conflict do nothing
    returning 1 as added`)
  return rowsOf(result).length
}

/**
 * Sets the themes of one comment to exactly `themeIds` (of the survey's themes): the others of the survey's
 * themes are removed. Returns false when the comment is not real text of a response of the series.
 */
export async function setCommentThemes(
  db: Database,
  scope: ThemeScope,
  comment: CommentRef,
  themeIds: ReadonlyArray<string>,
  codedBy: string | null,
): Promise<boolean> {
  const found = await db.execute(sql`
    select 1 as ok from responses r
     where r.id = ${comment.responseId}::uuid and ${seriesResponse(scope)}
       and jsonb_typeof(r.answers->${comment.question}::text) = 'string'
       and btrim(r.answers->>${comment.question}::text) <> ''`)
  if (rowsOf(found).length === 0) return false
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      delete from response_comment_themes c
       where c.organisation_id = ${scope.organisationId}::uuid
         and c.response_id = ${comment.responseId}::uuid and c.question_name = ${comment.question}
         and c.theme_id in (select t.id from survey_themes t
                             where t.organisation_id = ${scope.organisationId}::uuid and t.survey_id = ${scope.surveyId}::uuid)
         ${themeIds.length > 0 ? sql`and c.theme_id not in (${sql.join(themeIds.map((id) => sql`${id}::uuid`), sql`, `)})` : sql``}`)
    await codeComments(tx, scope, themeIds, [comment], codedBy)
  })
  return true
}

/** The survey's themes of each comment given, keyed `${responseId}|${question}`. */
export async function themesOfComments(
  db: Database,
  scope: ThemeScope,
  comments: ReadonlyArray<CommentRef>,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  if (comments.length === 0) return out
  const result = await db.execute(sql`
    select c.response_id::text as response_id, c.question_name, c.theme_id::text as theme_id
      from response_comment_themes c
      join survey_themes t on t.id = c.theme_id and t.organisation_id = ${scope.organisationId}::uuid
                          and t.survey_id = ${scope.surveyId}::uuid
      join ${commentValues(comments, 'v')} on c.response_id = v.response_id and c.question_name = v.question
     where c.organisation_id = ${scope.organisationId}::uuid`)
  for (const r of rowsOf<{ response_id: string; question_name: string; theme_id: string }>(result)) {
    const key = `${r.response_id}|${r.question_name}`
    out.set(key, [...(out.get(key) ?? []), r.theme_id])
  }
  return out
}

/** Coded comments counted by their group in each segment, their question and their set of themes. */
export interface CodedCommentCount {
  /** segment name → value ('' = not stated) */
  segments: Record<string, string>
  question: string
  themeIds: string[]
  count: number
}

/** Which responses' comments to count: some waves, or those submitted in [from, to) (a published scope). */
export interface CodedCommentFilters {
  waves?: ReadonlyArray<string>
  from?: Date
  to?: Date
}

/**
 * Counts the coded comments of the series (those carrying at least one of the survey's themes) on the given
 * questions, by their respondent's group in each segment, their question and their themes; only the responses
 * `filters` keeps, when given (the insight report's wave and date filters). PostgreSQL counts; the cells go to
 * analysis/theme-frequency.ts.
 */
export async function countCodedComments(
  db: Database,
  scope: ThemeScope,
  segments: ReadonlyArray<string>,
  questions: ReadonlyArray<string>,
  filters: CodedCommentFilters = {},
): Promise<CodedCommentCount[]> {
  if (questions.length === 0) return []
  const waves = filters.waves ?? []
  const kept = sql.join(
    [
      sql``,
      ...(waves.length > 0 ? [sql`r.wave in (${sql.join(waves.map((w) => sql`${w}::text`), sql`, `)})`] : []),
      ...(filters.from ? [sql`r.submitted_at >= ${filters.from.toISOString()}::timestamptz`] : []),
      ...(filters.to ? [sql`r.submitted_at < ${filters.to.toISOString()}::timestamptz`] : []),
    ],
    sql` and `,
  )
  const names = segments.map((_, i) => sql.identifier(`g${i}`))
  const segmentColumns = segments.map((s, i) => sql`, coalesce(r.segments->>${s}::text, '') as ${names[i]!}`)
  const segmentNames = names.map((n) => sql`, ${n}`)
  const result = await db.execute(sql`
    with coded as (
      select c.response_id, c.question_name, string_agg(c.theme_id::text, ',' order by c.theme_id) as themes
        from response_comment_themes c
        join survey_themes t on t.id = c.theme_id and t.organisation_id = ${scope.organisationId}::uuid
                            and t.survey_id = ${scope.surveyId}::uuid
       where c.organisation_id = ${scope.organisationId}::uuid
         and c.question_name in (${sql.join(questions.map((q) => sql`${q}::text`), sql`, `)})
       group by c.response_id, c.question_name
    ), grouped as (
      select coded.question_name as question, coded.themes${sql.join(segmentColumns, sql``)}
        from coded join responses r on r.id = coded.response_id
       where ${seriesResponse(scope)}${kept}
         and jsonb_typeof(r.answers->coded.question_name) = 'string' and btrim(r.answers->>coded.question_name) <> ''
    )
    select question, themes${sql.join(segmentNames, sql``)}, count(*)::int as n
      from grouped
     group by question, themes${sql.join(segmentNames, sql``)}`)
  return rowsOf<Record<string, string | number>>(result).map((row) => ({
    segments: Object.fromEntries(segments.map((s, i) => [s, String(row[`g${i}`] ?? '')])),
    question: String(row.question),
    themeIds: String(row.themes).split(','),
    count: Number(row.n),
  }))
}
