import { executiveSummary, type SummarySentence } from '#analysis/executive-summary.ts'
import type { InsightReport, ReportCell, ReportRow } from '#analysis/insight-report-types.ts'
import { orderGroups } from '#analysis/order-groups.ts'
import type { Database } from '#db/client.ts'
import type { AggregateFilters } from '#db/queries/aggregates.ts'
import { loadInsight } from './insight.server.ts'

/*
 * The dashboard's view of a survey: the insight report (analysis/insight-report.ts, loaded by
 * app/services/insight.server.ts) with the labels and filter choices the page needs. Nothing here computes a
 * figure, a test, a suppression, a wave order or a target judgement: it only reshapes the report for React.
 * The exact estimates (report.estimates) never leave the server.
 */

export interface DashboardOptions {
  /** weight to the default population profile; default: weighted when the organisation has one */
  weighted?: boolean
  /** confidence level of the intervals (default 0.95) */
  confidence?: number
  filters?: AggregateFilters
}

export interface DashboardCell {
  suppressed: boolean
  suppression: ReportCell['suppression']
  flag: ReportCell['status']
  n: number | null
  p: number | null
  lower: number | null
  upper: number | null
  /** publication step of p and the interval (0.01 = whole percent; the notes say when it is coarser) */
  step: number
  ess: number | null
  significance: 'higher' | 'lower' | null
  pHolm: number | null
}

export interface DashboardRow {
  segment: string
  segmentLabel: string
  group: string
  groupLabel: string
  cells: Record<string, DashboardCell>
}

export type Dashboard = Omit<InsightReport, 'estimates' | 'overall' | 'rows' | 'waves'> & {
  survey: { id: string; title: string; slug: string; wave: string; seriesId: string }
  options: { weighted: boolean; confidence: number; filters: AggregateFilters }
  ratingTitles: Record<string, string>
  /** segments with every value present in the series (for the filter controls), unfiltered */
  segmentChoices: Array<{
    name: string
    label: string
    /** no counts: a small group's size is not published (docs/decisions/013-disclosure-control.md) */
    groups: Array<{ value: string; label: string }>
  }>
  /** waves with their fieldwork dates (no counts: the report's wave rows give the bases it may publish) */
  fieldwork: Array<{ wave: string; firstAt: string | null; lastAt: string | null }>
  populationName: string | null
  /** the executive summary of the report (analysis/executive-summary.ts), shown first */
  summary: SummarySentence[]
  overall: DashboardRow
  rows: DashboardRow[]
}

export function dashboardCell(cell: ReportCell | undefined): DashboardCell {
  return {
    suppressed: !cell || cell.status === 'suppressed',
    suppression: cell?.suppression ?? 'primary',
    flag: cell?.status ?? 'suppressed',
    n: cell?.n ?? null,
    p: cell?.p ?? null,
    lower: cell?.lower ?? null,
    upper: cell?.upper ?? null,
    step: cell?.step ?? 0.01,
    ess: cell?.ess ?? null,
    significance: cell?.significance ?? null,
    pHolm: cell?.pAdjusted ?? null,
  }
}

function dashboardRow(row: ReportRow): DashboardRow {
  return {
    segment: row.by,
    segmentLabel: row.byLabel,
    group: row.group,
    groupLabel: row.groupLabel,
    cells: Object.fromEntries(Object.entries(row.cells).map(([k, c]) => [k, dashboardCell(c)])),
  }
}

/** The dashboard of one survey of one organisation (null when the survey is not in it). */
export async function buildDashboard(
  db: Database,
  organisationId: string,
  surveyId: string,
  options: DashboardOptions = {},
): Promise<Dashboard | null> {
  const insight = await loadInsight(db, organisationId, surveyId, options)
  if (!insight) return null
  const { report, context } = insight
  const { estimates: _estimates, overall, rows, waves: _waves, ...rest } = report
  const s = context.survey
  return {
    ...rest,
    survey: { id: s.id, title: s.title, slug: s.slug, wave: s.wave, seriesId: s.seriesId },
    options: { weighted: report.meta.weighted, confidence: report.meta.confidence, filters: context.filters },
    ratingTitles: context.questionTitles,
    segmentChoices: report.meta.segments.map(({ name, label }) => {
      const values = new Set((context.segmentValues[name] ?? []).map((v) => v.value))
      return {
        name,
        label,
        groups: orderGroups([...values], context.labels.groupOrder?.[name]).map((value) => ({
          value,
          label: context.labels.groups?.[name]?.[value] ?? (value === '' ? 'Not stated' : value),
        })),
      }
    }),
    fieldwork: context.waves.map((w) => ({
      wave: w.wave,
      firstAt: w.firstAt?.toISOString() ?? null,
      lastAt: w.lastAt?.toISOString() ?? null,
    })),
    populationName: context.profile?.name ?? null,
    summary: executiveSummary(report),
    overall: dashboardRow(overall),
    rows: rows.map(dashboardRow),
  }
}
