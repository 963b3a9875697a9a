import { z } from 'zod'
import { buildDashboard, type Dashboard } from '#app/services/dashboard.server.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import type { AggregateFilters } from '#db/queries/aggregates.ts'

const CONFIDENCE_LEVELS = [0.9, 0.95, 0.99] as const

const dateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .or(z.literal('').transform(() => undefined))

/** The dashboard's query string: weighting, confidence, and the filters (wave, dates, seg.<segment>). */
export function parseDashboardQuery(url: URL): {
  weighted: boolean
  confidence: number
  filters: AggregateFilters
} {
  const q = url.searchParams
  const confidence = Number(q.get('confidence') ?? '0.95')
  const from = dateSchema.safeParse(q.get('from') ?? undefined)
  const to = dateSchema.safeParse(q.get('to') ?? undefined)
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
    ...(from.success && from.data ? { from: new Date(`${from.data}T00:00:00Z`) } : {}),
    // "to" is inclusive for people: up to the end of that day
    ...(to.success && to.data
      ? { to: new Date(new Date(`${to.data}T00:00:00Z`).getTime() + 86_400_000) }
      : {}),
    ...(Object.keys(segments).length > 0 ? { segments } : {}),
  }
  return {
    weighted: q.get('weighted') === '1',
    confidence: (CONFIDENCE_LEVELS as readonly number[]).includes(confidence) ? confidence : 0.95,
    filters,
  }
}

export interface DashboardPageData {
  dashboard: Dashboard
  query: {
    weighted: boolean
    confidence: number
    waves: string[]
    from: string
    to: string
    segments: Record<string, string[]>
  }
  canEditSettings: boolean
}

export async function loadDashboardPage(request: Request, surveyId: string): Promise<DashboardPageData> {
  const ctx = await requirePermission(request, 'dashboard:read')
  const url = new URL(request.url)
  const query = parseDashboardQuery(url)
  if (!/^[0-9a-f-]{36}$/i.test(surveyId)) throw new Response('Survey not found', { status: 404 })
  const dashboard = await buildDashboard(await getDb(), ctx.organisationId, surveyId, query)
  if (!dashboard) throw new Response('Survey not found', { status: 404 })
  return {
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
