import type { InsightReport, ReportRow } from '#analysis/insight-report-types.ts'
import { listQuestions } from '#templates/definition.ts'
import type { TemplateMetadata } from '#templates/metadata.ts'
import { label, textOf } from './survey-labels.server.ts'

/*
 * Which answers are comments, and whose comments a view may show: shared by the comments page
 * (app/routes/app.surveys.$surveyId.comments.server.ts) and comment themes (app/services/comment-themes.server.ts).
 */

const NAME = /^[a-z][a-z0-9_]{0,62}$/

export interface CommentQuestion {
  name: string
  title: string
  driver: string | null
}

/**
 * The free-text questions whose answers are comments: those the metadata lists (with their driver) and any
 * other `comment`-type question. Equality questions are special-category data and never comments.
 */
export function commentQuestionsOf(definition: unknown, metadata: TemplateMetadata): CommentQuestion[] {
  const questions = listQuestions(definition)
  const titles = new Map(questions.map((q) => [q.name, textOf(q.element.title) || label(q.name)]))
  const equality = new Set(metadata.equalityQuestions)
  const out: CommentQuestion[] = []
  const seen = new Set<string>()
  for (const c of metadata.comments) {
    if (seen.has(c.question) || equality.has(c.question)) continue
    seen.add(c.question)
    out.push({
      name: c.question,
      title: titles.get(c.question) ?? label(c.question),
      driver: c.driver ?? null,
    })
  }
  for (const q of questions) {
    if (q.type !== 'comment' || !NAME.test(q.name) || seen.has(q.name) || equality.has(q.name)) continue
    seen.add(q.name)
    out.push({ name: q.name, title: titles.get(q.name) ?? label(q.name), driver: null })
  }
  return out
}

/** A group (or wave) whose comments a report holds back, with its labels for the note that says so. */
export interface HeldBackGroup {
  by: string
  byLabel: string
  group: string
  groupLabel: string
}

/**
 * The respondents a comment list of this report must leave out: the groups and waves whose comments the report
 * holds back (ReportRow.commentsShown), so that no list shows a small group's comments. `hidden` when the report
 * holds back the comments of everyone in it. `rows` and `waves` are the held-back groups with their labels, in
 * the report's order, for a page that says which groups it leaves out.
 */
export function heldBackOf(report: InsightReport | null): {
  hidden: boolean
  exclude: Record<string, string[]>
  excludeWaves: string[]
  rows: HeldBackGroup[]
  waves: HeldBackGroup[]
} {
  const exclude: Record<string, string[]> = {}
  if (!report) return { hidden: true, exclude, excludeWaves: [], rows: [], waves: [] }
  const heldBack = (rows: ReadonlyArray<ReportRow>): HeldBackGroup[] =>
    rows
      .filter((r) => !r.commentsShown)
      .map((r) => ({ by: r.by, byLabel: r.byLabel, group: r.group, groupLabel: r.groupLabel }))
  const rows = heldBack(report.rows)
  for (const row of rows) (exclude[row.by] ??= []).push(row.group)
  const waves = heldBack(report.waves)
  return {
    hidden: !report.overall.commentsShown,
    exclude,
    excludeWaves: waves.map((w) => w.group),
    rows,
    waves,
  }
}
