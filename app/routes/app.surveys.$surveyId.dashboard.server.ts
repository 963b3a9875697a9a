import { z } from 'zod'
import { actionEvidence, type ActionEvidence } from '#app/services/action-evidence.server.ts'
import { buildDashboard, type Dashboard } from '#app/services/dashboard.server.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { listActions } from '#db/queries/actions.ts'
import type { AggregateFilters } from '#db/queries/aggregates.ts'

const CONFIDENCE_LEVELS = [0.9, 0.95, 0.99] as const

const DAY_MS = 86_400_000

/**
 * A date filter: absent or empty, or a real calendar day written YYYY-MM-DD (2026-02-30 is not one). Anything
 * else is refused with a 400 that says which field and why, rather than ignored or left to fail as a 500
 * further down (db/queries/aggregates.ts accepts only UTC midnights).
 */
const daySchema = (field: string) =>
  z.preprocess(
    (value) => (value === '' || value === null ? undefined : value),
    z
      .string()
      .regex(
        /^\d{4}-\d{2}-\d{2}$/,
        `The "${field}" date must be written as YYYY-MM-DD, for example 2026-04-01.`,
      )
      .refine((day) => {
        const date = new Date(`${day}T00:00:00Z`)
        return Number.isFinite(date.getTime()) && date.toISOString().slice(0, 10) === day
      }, `The "${field}" date is not a day of the calendar.`)
      .transform((day) => new Date(`${day}T00:00:00Z`))
      .optional(),
  )

const dashboardDatesSchema = z
  .object({ from: daySchema('from'), to: daySchema('to') })
  .refine(
    (d) => !d.from || !d.to || d.from.getTime() <= d.to.getTime(),
    'The "from" date is after the "to" date.',
  )

/** The dashboard's query string: weighting, confidence, and the filters (wave, dates, seg.<segment>). */
export function parseDashboardQuery(url: URL): {
  weighted: boolean | undefined
  confidence: number
  filters: AggregateFilters
} {
  const q = url.searchParams
  const confidence = Number(q.get('confidence') ?? '0.95')
  const dates = dashboardDatesSchema.safeParse({ from: q.get('from'), to: q.get('to') })
  if (!dates.success) {
    throw new Response(`Date filter: ${dates.error.issues.map((i) => i.message).join(' ')}`, {
      status: 400,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    })
  }
  const { from, to } = dates.data
  const segments: Record<string, string[]> = {}
  for (const [key, value] of q) {
    if (!key.startsWith('seg.') || value === '') continue
    const name = key.slice(4)
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) continue
    ;(segments[name] ??= []).push(value.slice(0, 100))
  }
  const waves = q
    .getAll('wave')
    .filter((w) => w !== '')
    .map((w) => w.slice(0, 50))
  const filters: AggregateFilters = {
    ...(waves.length > 0 ? { waves } : {}),
    ...(from ? { from } : {}),
    // "to" is inclusive for people: up to the end of that day
    ...(to ? { to: new Date(to.getTime() + DAY_MS) } : {}),
    ...(Object.keys(segments).length > 0 ? { segments } : {}),
  }
  return {
    // absent = the default of every view (weighted when a population profile is set)
    weighted: q.get('weighted') === '1' ? true : q.get('weighted') === '0' ? false : undefined,
    confidence: (CONFIDENCE_LEVELS as readonly number[]).includes(confidence) ? confidence : 0.95,
    filters,
  }
}

export interface DashboardPageData {
  dashboard: Dashboard
  query: {
    weighted: boolean | undefined
    confidence: number
    waves: string[]
    from: string
    to: string
    segments: Record<string, string[]>
  }
  canEditSettings: boolean
  /** completed actions with their before/after evidence (CSE 1.3.5; app/services/action-evidence.server.ts) */
  actions: Array<{ id: string; title: string; evidence: ActionEvidence }>
}

export async function loadDashboardPage(request: Request, surveyId: string): Promise<DashboardPageData> {
  const ctx = await requirePermission(request, 'dashboard:read')
  const url = new URL(request.url)
  const query = parseDashboardQuery(url)
  if (!/^[0-9a-f-]{36}$/i.test(surveyId)) throw new Response('Survey not found', { status: 404 })
  const db = await getDb()
  const dashboard = await buildDashboard(db, ctx.organisationId, surveyId, query)
  if (!dashboard) throw new Response('Survey not found', { status: 404 })
  const filtered = Object.keys(query.filters).length > 0
  const completed = (await listActions(db, ctx.organisationId, dashboard.survey.seriesId)).filter(
    (a) => a.status === 'completed',
  )
  const actions = await Promise.all(
    completed.map(async (a) => ({
      id: a.id,
      title: a.title,
      evidence: await actionEvidence(db, ctx.organisationId, surveyId, a, filtered ? null : dashboard, dashboard.meta, {
        weighted: query.weighted,
        confidence: query.confidence,
      }),
    })),
  )
  return {
    actions,
    dashboard,
    query: {
      weighted: query.weighted,
      confidence: query.confidence,
      waves: query.filters.waves ?? [],
      from: url.searchParams.get('from') ?? '',
      to: url.searchParams.get('to') ?? '',
      segments: query.filters.segments ?? {},
    },
    canEditSettings: ctx.role === 'analyst' || ctx.role === 'admin',
  }
}
