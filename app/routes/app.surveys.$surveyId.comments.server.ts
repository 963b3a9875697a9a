import { loadInsight } from '#app/services/insight.server.ts'
import { commentQuestionsOf, heldBackOf } from '#app/services/comment-questions.server.ts'
import { label } from '#app/services/survey-labels.server.ts'
import { parseMetadata } from '#app/services/survey-definition.server.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { can } from '#app/utils/permissions.ts'
import { getDb } from '#app/utils/db.server.ts'
import { getReportingThresholds } from '#db/queries/aggregates.ts'
import { COMMENTS_PAGE_SIZE, listComments } from '#db/queries/comments.ts'
import { getSurveyForOrganisation, getVersion } from '#db/queries/surveys.ts'
import { listThemes, themesOfComments } from '#db/queries/themes.ts'

/*
 * The comments page (CSE 1.3.5): free-text answers of one survey's series (all its waves, as on the dashboard),
 * browsed by customer group and by driver, searched, filtered by wave and paged 50 at a time.
 *
 * Which groups may show comments is the insight report's decision, never this page's: a group's comments are
 * shown only when the report says so (report.rows[].commentsShown, analysis/publish-table.ts), the groups
 * offered as filters are those of the unfiltered report whose comments may be shown, and a view (the filters
 * chosen) shows comments only when the report of that view shows its own "All respondents" row's comments
 * (it is withheld when the filters leave out so few respondents that comparing lists would reveal theirs).
 * Inside a view, the comments of every group the view's report holds back are left out, so two lists cannot
 * be compared to pick out a small group's comments. Comments carry no group tags or dates. The report used is
 * the unweighted one, which counts every respondent (the weighted one leaves out those it cannot weight).
 */

const NAME = /^[a-z][a-z0-9_]{0,62}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface CommentsQuery {
  search: string
  driver: string
  waves: string[]
  segments: Record<string, string[]>
  page: number
}

/** The page's query string: q (search), driver, wave, seg.<segment>, page. Anything malformed is ignored. */
export function parseCommentsQuery(url: URL): CommentsQuery {
  const q = url.searchParams
  const segments: Record<string, string[]> = {}
  for (const [key, value] of q) {
    if (!key.startsWith('seg.') || value === '') continue
    const name = key.slice(4)
    if (!NAME.test(name)) continue
    ;(segments[name] ??= []).push(value.slice(0, 100))
  }
  const page = Number(q.get('page') ?? '1')
  const driver = q.get('driver') ?? ''
  return {
    search: (q.get('q') ?? '').trim().slice(0, 200),
    driver: NAME.test(driver) ? driver : '',
    waves: q
      .getAll('wave')
      .filter((w) => w !== '')
      .map((w) => w.slice(0, 50)),
    segments,
    page: Number.isInteger(page) && page >= 1 && page <= 100_000 ? page : 1,
  }
}

export async function loadCommentsPage(request: Request, surveyId: string) {
  const ctx = await requirePermission(request, 'dashboard:read')
  if (!UUID.test(surveyId)) throw new Response('Survey not found', { status: 404 })
  const db = await getDb()
  const survey = await getSurveyForOrganisation(db, ctx.organisationId, surveyId)
  if (!survey) throw new Response('Survey not found', { status: 404 })
  const version = survey.currentVersionId
    ? await getVersion(db, ctx.organisationId, survey.currentVersionId)
    : null
  const metadata = parseMetadata(version?.metadata ?? survey.draftMetadata)
  const definition = version?.definition ?? survey.draftDefinition
  const query = parseCommentsQuery(new URL(request.url))

  const questions = commentQuestionsOf(definition, metadata)
  const drivers = [...new Set(questions.map((q) => q.driver).filter((d): d is string => d !== null))]
  const driver = drivers.includes(query.driver) ? query.driver : ''
  const selectedQuestions = questions.filter((q) => driver === '' || q.driver === driver).map((q) => q.name)

  // Without a rating question there is no report, so no group sizes to decide by: nothing is shown.
  const reportable = Object.keys(metadata.ratings).length > 0
  const unfiltered = reportable ? await loadInsight(db, ctx.organisationId, survey.id, { weighted: false }) : null
  const report = unfiltered?.report ?? null
  const segmentNames = report?.meta.segments.map((s) => s.name) ?? []
  // Only the survey's own segments filter; an unknown name in the query string is dropped, not trusted.
  const segments = Object.fromEntries(
    Object.entries(query.segments).filter(([name]) => segmentNames.includes(name)),
  )
  const groupView = Object.keys(segments).length > 0
  const filtered = groupView || query.waves.length > 0
  const view =
    unfiltered && filtered
      ? await loadInsight(db, ctx.organisationId, survey.id, {
          weighted: false,
          filters: { waves: query.waves, segments },
        })
      : unfiltered
  const viewReport = view?.report ?? null
  // The thresholds the engine used (the organisation's, db/queries/aggregates.ts getReportingThresholds); without
  // a report, the same organisation setting the engine would use, so the page's note never has its own figure.
  const thresholds = report?.meta.thresholds ?? (await getReportingThresholds(db, ctx.organisationId))
  // Groups (and waves) the view's report holds back: their respondents' comments are left out of the list
  // (the rule shared with the themes page, app/services/comment-questions.server.ts heldBackOf).
  const held = heldBackOf(viewReport)
  const hidden = held.hidden
  const result = hidden
    ? { comments: [], total: 0 }
    : await listComments(
        db,
        { organisationId: ctx.organisationId, seriesId: survey.seriesId },
        {
          waves: query.waves,
          segments,
          exclude: held.exclude,
          excludeWaves: held.excludeWaves,
          questions: selectedQuestions,
          search: query.search,
        },
        query.page,
      )

  const titles = new Map(questions.map((q) => [q.name, q]))
  // Comment themes (app/routes/app.surveys.$surveyId.themes.server.ts): the survey's frame and each listed
  // comment's themes; response ids, needed to code a comment, go only to those who may code.
  const themeScope = { organisationId: ctx.organisationId, surveyId: survey.id, seriesId: survey.seriesId }
  const themes = await listThemes(db, ctx.organisationId, survey.id)
  const canCode = can(ctx.role, 'theme:write') && themes.length > 0
  const coded = themes.length > 0 ? await themesOfComments(db, themeScope, result.comments) : new Map<string, string[]>()
  const themeNames = new Map(themes.map((t) => [t.id, t.name]))
  return {
    survey: { id: survey.id, title: survey.title },
    query: { search: query.search, driver, waves: query.waves, segments, page: query.page },
    thresholds,
    questions,
    drivers: drivers.map((d) => ({ name: d, label: label(d) })),
    // filter choices: the groups of the unfiltered report whose comments may be shown ('' is "All")
    segments: (report?.meta.segments ?? []).map((s) => ({
      name: s.name,
      label: s.label,
      groups: report!.rows
        .filter((r) => r.by === s.name && r.commentsShown && r.group !== '')
        .map((r) => ({ value: r.group, label: r.groupLabel })),
    })),
    waves: (report?.waves ?? []).filter((w) => w.commentsShown).map((w) => w.group),
    groupView,
    hidden,
    hiddenNote: hidden
      ? !reportable
        ? 'Comments hidden: this survey has no rating question, so the size of each group cannot be checked.'
        : viewReport?.status === 'withheld'
          ? `Comments hidden: ${viewReport.withheldReason ?? ''}`
          : `Comments hidden: fewer than ${thresholds.suppress} responses in ${groupView ? 'this group' : 'this survey'}.`
      : null,
    /** groups too small to show, whose respondents' comments this view leaves out */
    heldBack: hidden
      ? []
      : [
          ...held.rows.map((r) => `${r.byLabel}: ${r.groupLabel}`),
          ...held.waves.map((w) => `Wave: ${w.groupLabel}`),
        ],
    total: result.total,
    pageSize: COMMENTS_PAGE_SIZE,
    pages: Math.max(1, Math.ceil(result.total / COMMENTS_PAGE_SIZE)),
    themes: themes.map((t) => ({ id: t.id, name: t.name })),
    canCode,
    comments: result.comments.map((c, i) => ({
      key: `${(query.page - 1) * COMMENTS_PAGE_SIZE + i}`,
      ref: canCode ? `${c.responseId}|${c.question}` : null,
      themeIds: coded.get(`${c.responseId}|${c.question}`) ?? [],
      themeNames: (coded.get(`${c.responseId}|${c.question}`) ?? []).map((id) => themeNames.get(id) ?? '').sort(),
      question: c.question,
      questionTitle: titles.get(c.question)?.title ?? label(c.question),
      driver: titles.get(c.question)?.driver ?? null,
      text: c.text,
      wave: c.wave,
    })),
  }
}
