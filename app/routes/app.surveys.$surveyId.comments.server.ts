import { groupLabelsOf, label, textOf } from '#app/services/survey-labels.server.ts'
import { parseMetadata } from '#app/services/survey-definition.server.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { getReportingThresholds, listSegmentValues, listWaves } from '#db/queries/aggregates.ts'
import {
  COMMENTS_PAGE_SIZE,
  countGroupResponses,
  listComments,
  smallGroupsInView,
} from '#db/queries/comments.ts'
import { getSurveyForOrganisation, getVersion } from '#db/queries/surveys.ts'
import { listQuestions } from '#templates/definition.ts'
import type { TemplateMetadata } from '#templates/metadata.ts'

/*
 * The comments page (CSE 1.3.5): free-text answers of one survey, browsed by customer group and by driver,
 * searched, filtered by wave and paged 50 at a time. A group whose unweighted base is under the organisation's
 * suppression threshold shows no comments at all, as its figures on the dashboard show no numbers. Comments
 * carry no group tags or dates, so the unfiltered list cannot be used to pick out a small group's comments.
 */

const NAME = /^[a-z][a-z0-9_]{0,62}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface CommentQuestion {
  name: string
  title: string
  driver: string | null
}

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
  const segmentNames = [
    ...new Set([...metadata.segments.map((s) => s.question), ...metadata.urlSegments.map((u) => u.param)]),
  ]
  const segmentLabel = (name: string) =>
    metadata.segments.find((s) => s.question === name)?.label ??
    metadata.urlSegments.find((u) => u.param === name)?.label ??
    label(name)
  const groupLabels = groupLabelsOf(definition, metadata)
  // Only the survey's own segments filter; an unknown name in the query string is dropped, not trusted.
  const segments = Object.fromEntries(
    Object.entries(query.segments).filter(([name]) => segmentNames.includes(name)),
  )
  const driver = drivers.includes(query.driver) ? query.driver : ''
  const selectedQuestions = questions.filter((q) => driver === '' || q.driver === driver).map((q) => q.name)
  const scope = { organisationId: ctx.organisationId, surveyId: survey.id }

  const [thresholds, segmentValues, waves] = await Promise.all([
    getReportingThresholds(db, ctx.organisationId),
    listSegmentValues(db, scope, segmentNames),
    listWaves(db, scope),
  ])
  const filters = { waves: query.waves, segments }
  const groupView = Object.keys(segments).length > 0
  // The view's unweighted base decides whether its comments may be shown at all; inside it, the comments of
  // any smaller group (of any segment) are left out, so two lists cannot be compared to find a small group's.
  const [viewBase, exclude] = await Promise.all([
    countGroupResponses(db, ctx.organisationId, survey.id, filters),
    smallGroupsInView(db, ctx.organisationId, survey.id, filters, segmentNames, thresholds.suppress),
  ])
  const hidden = viewBase < thresholds.suppress
  const result = hidden
    ? { comments: [], total: 0 }
    : await listComments(
        db,
        ctx.organisationId,
        survey.id,
        { ...filters, exclude, questions: selectedQuestions, search: query.search },
        query.page,
      )
  const smallGroups = Object.entries(exclude).flatMap(([name, values]) =>
    values.map(
      (v) => `${segmentLabel(name)}: ${v === '' ? 'Not stated' : (groupLabels.get(name)?.get(v) ?? v)}`,
    ),
  )

  const titles = new Map(questions.map((q) => [q.name, q]))
  return {
    survey: { id: survey.id, title: survey.title },
    query: { search: query.search, driver, waves: query.waves, segments, page: query.page },
    thresholds,
    questions,
    drivers: drivers.map((d) => ({ name: d, label: label(d) })),
    segments: segmentNames.map((name) => ({
      name,
      label: segmentLabel(name),
      groups: (segmentValues[name] ?? []).map((g) => ({
        value: g.value,
        label: g.value === '' ? 'Not stated' : (groupLabels.get(name)?.get(g.value) ?? g.value),
      })),
    })),
    waves: waves.map((w) => w.wave),
    groupView,
    hidden,
    hiddenNote: hidden
      ? `Comments hidden: fewer than ${thresholds.suppress} responses in ${groupView ? 'this group' : 'this survey'}.`
      : null,
    /** groups too small to show, whose respondents' comments this view leaves out */
    heldBack: hidden ? [] : smallGroups,
    total: result.total,
    pageSize: COMMENTS_PAGE_SIZE,
    pages: Math.max(1, Math.ceil(result.total / COMMENTS_PAGE_SIZE)),
    comments: result.comments.map((c, i) => ({
      key: `${(query.page - 1) * COMMENTS_PAGE_SIZE + i}`,
      question: c.question,
      questionTitle: titles.get(c.question)?.title ?? label(c.question),
      driver: titles.get(c.question)?.driver ?? null,
      text: c.text,
      wave: c.wave,
    })),
  }
}
