import { data, redirect } from '@remix-run/node'
import { commentQuestionsOf, heldBackOf } from '#app/services/comment-questions.server.ts'
import { loadSurveyThemes } from '#app/services/comment-themes.server.ts'
import { loadInsight } from '#app/services/insight.server.ts'
import { label } from '#app/services/survey-labels.server.ts'
import { requirePermission, type StaffContext } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { isUuid } from '#app/utils/params.ts'
import { can } from '#app/utils/permissions.ts'
import { writeAudit } from '#db/queries/accounts.ts'
import { listComments } from '#db/queries/comments.ts'
import { codeComments, createTheme, deleteTheme, listThemes, setCommentThemes, updateTheme } from '#db/queries/themes.ts'
import { commentThemesFormSchema, formObject, themeFormSchema } from './app.surveys.$surveyId.themes.schema.ts'

/*
 * Comment themes (issue 14, item 3; docs/decisions/025-comment-themes.md): a survey's coding frame, the
 * suggestions for bulk coding, and each theme's frequency by customer group and by driver. Everyone reads; analysts
 * and admins ('theme:write') keep the frame and code. The figures are the one result of
 * app/services/comment-themes.server.ts (analysis/theme-frequency.ts); suggestions are comments, so they leave out
 * every group whose comments the insight report holds back, as the comments page does. Response ids (needed to
 * code a comment) are sent only to those who may code: they already read responses ('response:read').
 * Scoped by organisation: another organisation's survey or theme is a 404. Writes are audited.
 */

const SUGGESTIONS_PER_THEME = 25

async function surveyContext(request: Request, surveyId: string, permission: 'dashboard:read' | 'theme:write') {
  const ctx = await requirePermission(request, permission)
  const db = await getDb()
  // The unweighted report counts every respondent, as the comments page uses (its commentsShown decides).
  const insight = isUuid(surveyId) ? await loadInsight(db, ctx.organisationId, surveyId, { weighted: false }) : null
  if (!insight) throw new Response('Survey not found', { status: 404 })
  const survey = insight.context.survey
  const reportable = Object.keys(insight.context.metadata.ratings).length > 0
  return {
    ctx,
    db,
    survey,
    report: reportable ? insight.report : null,
    questions: commentQuestionsOf(insight.context.definition, insight.context.metadata),
    scope: { organisationId: ctx.organisationId, surveyId: survey.id, seriesId: survey.seriesId },
  }
}

export async function loadThemesPage(request: Request, surveyId: string) {
  const { ctx, db, survey, report, questions, scope } = await surveyContext(request, surveyId, 'dashboard:read')
  const { themes, frequency } = await loadSurveyThemes(db, scope, report, questions)
  const canCode = can(ctx.role, 'theme:write')
  const held = heldBackOf(report)
  const titles = new Map(questions.map((q) => [q.name, q.title]))
  const suggestions =
    canCode && !held.hidden
      ? await Promise.all(
          themes
            .filter((t) => t.keywords.length > 0)
            .map(async (t) => {
              const found = await listComments(
                db,
                { organisationId: ctx.organisationId, seriesId: survey.seriesId },
                {
                  questions: questions.map((q) => q.name),
                  anyOf: t.keywords,
                  notCodedWith: t.id,
                  exclude: held.exclude,
                  excludeWaves: held.excludeWaves,
                },
                1,
                SUGGESTIONS_PER_THEME,
              )
              return {
                themeId: t.id,
                total: found.total,
                comments: found.comments.map((c) => ({
                  value: `${c.responseId}|${c.question}`,
                  text: c.text,
                  questionTitle: titles.get(c.question) ?? label(c.question),
                })),
              }
            }),
        )
      : []
  return {
    survey: { id: survey.id, title: survey.title },
    canCode,
    hasQuestions: questions.length > 0,
    commentsHidden: held.hidden,
    themes,
    frequency,
    suggestions,
  }
}

export type ThemesPageData = Awaited<ReturnType<typeof loadThemesPage>>
export type ThemesActionData = { ok: false; errors: Record<string, string> }

function fail(errors: Record<string, string>, status = 400) {
  return data<ThemesActionData>({ ok: false, errors }, { status })
}

function issuesOf(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }) {
  const errors: Record<string, string> = {}
  for (const issue of error.issues) errors[String(issue.path[0] ?? 'form')] ??= issue.message
  return errors
}

async function audit(db: Awaited<ReturnType<typeof getDb>>, ctx: StaffContext, action: string, targetId: string, details: Record<string, unknown>) {
  await writeAudit(db, {
    organisationId: ctx.organisationId,
    userId: ctx.userId,
    action,
    targetType: 'survey_theme',
    targetId,
    details,
  })
}

export async function handleThemesForm(request: Request, surveyId: string) {
  const { ctx, db, survey, scope } = await surveyContext(request, surveyId, 'theme:write')
  const parsed = themeFormSchema.safeParse(formObject(await request.formData(), ['comment']))
  if (!parsed.success) return fail(issuesOf(parsed.error))
  const v = parsed.data
  const back = `/app/surveys/${survey.id}/themes`
  if (v.intent === 'create') {
    const row = await createTheme(db, { organisationId: ctx.organisationId, surveyId: survey.id, createdBy: ctx.userId }, v)
    if (!row) return fail({ name: 'This survey already has a theme of that name' })
    await audit(db, ctx, 'theme.create', row.id, { surveyId: survey.id })
    return redirect(`${back}?saved=${row.id}`)
  }
  if (v.intent === 'update') {
    const mine = (await listThemes(db, ctx.organisationId, survey.id)).some((t) => t.id === v.themeId)
    if (!mine) throw new Response('Theme not found', { status: 404 })
    const row = await updateTheme(db, ctx.organisationId, survey.id, v.themeId, v)
    if (!row) return fail({ name: 'This survey already has a theme of that name' })
    await audit(db, ctx, 'theme.update', row.id, { surveyId: survey.id })
    return redirect(`${back}?saved=${row.id}`)
  }
  if (v.intent === 'delete') {
    if (!(await deleteTheme(db, ctx.organisationId, survey.id, v.themeId)))
      throw new Response('Theme not found', { status: 404 })
    await audit(db, ctx, 'theme.delete', v.themeId, { surveyId: survey.id })
    return redirect(back)
  }
  const mine = (await listThemes(db, ctx.organisationId, survey.id)).some((t) => t.id === v.themeId)
  if (!mine) throw new Response('Theme not found', { status: 404 })
  const added = await codeComments(db, scope, [v.themeId], v.comment, ctx.userId)
  await audit(db, ctx, 'theme.code', v.themeId, { surveyId: survey.id, comments: v.comment.length, added })
  return redirect(`${back}?coded=${added}`)
}

/**
 * The comments page's per-comment form: sets the themes of one comment. Returns to the comments page with the
 * same filters and page (the request's own path and query, so never another site).
 */
export async function handleCommentThemesForm(request: Request, surveyId: string) {
  const { ctx, db, survey, scope } = await surveyContext(request, surveyId, 'theme:write')
  const parsed = commentThemesFormSchema.safeParse(formObject(await request.formData(), ['theme']))
  if (!parsed.success) return fail(issuesOf(parsed.error))
  const { comment, theme } = parsed.data
  const known = new Set((await listThemes(db, ctx.organisationId, survey.id)).map((t) => t.id))
  if (!theme.every((t) => known.has(t))) throw new Response('Theme not found', { status: 404 })
  if (!(await setCommentThemes(db, scope, comment, theme, ctx.userId)))
    throw new Response('Comment not found', { status: 404 })
  await audit(db, ctx, 'theme.code_comment', survey.id, { surveyId: survey.id, themes: theme.length })
  const url = new URL(request.url)
  return redirect(`${url.pathname}${url.search}`)
}
