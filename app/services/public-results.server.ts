import type { ReportCell } from '#analysis/insight-report-types.ts'
import type { Lang } from '#app/i18n/catalogue.ts'
import { resultsText } from '#app/i18n/results.ts'
import { toCsv } from '#app/utils/csv.ts'
import type { Database } from '#db/client.ts'
import { findOrganisationBySlug } from '#db/queries/accounts.ts'
import { listPublicActions } from '#db/queries/actions.ts'
import { listResultSnapshots, type ResultSnapshotRow, type SnapshotScope } from '#db/queries/results.ts'

export type { SnapshotScope }
import { publishedActions, type PublishedResults } from './results-snapshot.server.ts'

/*
 * The public results page and its open-data CSV (issue 14, item 1). Both are renderings of a frozen snapshot
 * (app/services/results-snapshot.server.ts): `resultTables` only selects and labels the stored report's published
 * cells, in the stored order, so the page and the CSV carry the same numbers as the dashboard did when the
 * snapshot was published. No login: an organisation is found by its slug, and only published snapshots are read;
 * the actions shown ("You said, we did") are those frozen in the snapshot when it was published.
 */

export interface PublicCell {
  status: ReportCell['status']
  /** why a hidden cell is hidden: 'secondary' protects another small group */
  suppression: ReportCell['suppression']
  /** whole percent, null when hidden */
  p: number | null
  lower: number | null
  upper: number | null
  n: number | null
  /** the report's group-vs-rest flag; 'none' when tested without a clear difference; null when not tested */
  compared: 'higher' | 'lower' | 'none' | null
}

export interface PublicRow {
  key: string
  label: string
  cell: PublicCell
}

export interface PublicTable {
  id: string
  heading: string
  kind: 'measures' | 'groups'
  rows: PublicRow[]
}

export interface PublicResultsView {
  overall: PublicCell
  overallLabel: string
  tables: PublicTable[]
  confidence: number
  weighted: boolean
  respondents: number
  thresholds: { lowBase: number; suppress: number }
  /** the report's notes say that another small group was hidden or figures were rounded further */
  protection: boolean
  /** the comment themes frozen with the snapshot (null when it has none) */
  themes: PublicThemesView | null
}

/** Comment themes as the page shows them: whole percents of the engine's figures; hidden ones carry no number. */
export interface PublicThemesView {
  coded: number | null
  rows: Array<{ id: string; name: string; cell: Omit<PublicCell, 'compared'> }>
}

function publicThemes(themes: PublishedResults['themes']): PublicThemesView | null {
  if (!themes || themes.themes.length === 0) return null
  return {
    coded: themes.coded,
    rows: themes.themes.map((theme) => {
      const c = theme.overall
      const cell =
        c.status === 'suppressed'
          ? { status: c.status, suppression: c.suppression, p: null, lower: null, upper: null, n: null }
          : { status: c.status, suppression: null, p: whole(c.p), lower: whole(c.lower), upper: whole(c.upper), n: c.n }
      return { id: theme.id, name: theme.name, cell }
    }),
  }
}

const whole = (x: number | null) => (x === null ? null : Math.round(x * 100))

function publicCell(cell: ReportCell | undefined): PublicCell {
  if (!cell || cell.status === 'suppressed')
    return { status: 'suppressed', suppression: cell?.suppression ?? 'primary', p: null, lower: null, upper: null, n: null, compared: null }
  return {
    status: cell.status,
    suppression: null,
    p: whole(cell.p),
    lower: whole(cell.lower),
    upper: whole(cell.upper),
    n: cell.n,
    compared: cell.significance ?? (cell.pAdjusted === null ? null : 'none'),
  }
}

/**
 * The tables of a snapshot in a language: every measure for all respondents, then overall satisfaction by
 * service and by each other customer group, in the report's order.
 */
export function resultTables(content: PublishedResults, lang: Lang): PublicResultsView {
  const t = resultsText[lang]
  const labels = content.labels[lang]
  const r = content.report
  const overall = r.meta.overall
  const segments = [...r.meta.segments].sort(
    (a, b) => Number(b.name === content.serviceSegment) - Number(a.name === content.serviceSegment),
  )
  const tables: PublicTable[] = [
    {
      id: 'measures',
      heading: t.byMeasureHeading,
      kind: 'measures',
      rows: r.meta.ratings.map((m) => ({
        key: m.name,
        label: labels.ratings[m.name] ?? m.label,
        cell: publicCell(r.overall.cells[m.name]),
      })),
    },
    ...segments.map((s) => ({
      id: `by-${s.name}`,
      heading:
        s.name === content.serviceSegment
          ? t.byServiceHeading
          : t.bySegmentHeading(labels.segments[s.name] ?? s.label.toLowerCase()),
      kind: 'groups' as const,
      rows: r.rows
        .filter((row) => row.by === s.name)
        .map((row) => ({
          key: row.group,
          label: labels.groups[s.name]?.[row.group] ?? row.groupLabel,
          cell: publicCell(row.cells[overall]),
        })),
    })),
  ]
  return {
    overall: publicCell(r.overall.cells[overall]),
    overallLabel: labels.ratings[overall] ?? t.overallHeading,
    tables,
    confidence: r.meta.confidence,
    weighted: r.meta.weighted,
    respondents: r.meta.respondents,
    thresholds: r.meta.thresholds,
    protection: r.notes.some((n) => ['secondary_suppression', 'coarsened', 'withheld'].includes(n.code)),
    themes: publicThemes(content.themes),
  }
}

/** The open-data CSV of a snapshot: the page's tables, one row per figure (formulas neutralised, app/utils/csv.ts). */
export function resultsCsv(content: PublishedResults, lang: Lang): string {
  const view = resultTables(content, lang)
  const t = resultsText[lang]
  const rows = view.tables.flatMap((table) =>
    table.rows.map((row) => [
      table.heading,
      table.kind === 'measures' ? row.label : view.overallLabel,
      table.kind === 'measures' ? 'all' : row.label,
      row.cell.p,
      row.cell.lower,
      row.cell.upper,
      row.cell.n,
      row.cell.status === 'suppressed'
        ? row.cell.suppression === 'secondary'
          ? t.protectedCell
          : t.tooFew
        : row.cell.status === 'low_base'
          ? t.lowBase
          : '',
      row.cell.compared === 'higher'
        ? t.higher
        : row.cell.compared === 'lower'
          ? t.lower
          : row.cell.compared === 'none'
            ? t.noClearDifference
            : '',
    ]),
  )
  return toCsv(
    ['table', 'measure', 'group', 'pct_satisfied', 'lower', 'upper', 'answers', 'note', 'compared_with_other_customers'],
    rows,
    { bom: true },
  )
}

export interface SnapshotSummary {
  id: string
  surveyId: string
  seriesId: string
  surveyTitle: string
  /** the language of `surveyTitle`: English on the Welsh page when the survey has no Welsh title */
  surveyTitleLang: Lang
  scope: SnapshotScope
  publishedAt: string
  /** the newest snapshot of its series; older ones are superseded */
  current: boolean
  overall: PublicCell
}

/**
 * The language of a snapshot's survey title in `lang`. A snapshot published before titles were stored per
 * language holds the staff title in both, which is English wherever it equals the English one.
 */
function titleLangOf(content: PublishedResults, lang: Lang): Lang {
  return content.surveyTitleLang?.[lang] ?? (lang === 'cy' && content.surveyTitle.cy === content.surveyTitle.en ? 'en' : lang)
}

function summaryOf(row: ResultSnapshotRow, current: boolean, lang: Lang): SnapshotSummary {
  const content = row.content as PublishedResults
  return {
    id: row.id,
    surveyId: row.surveyId,
    seriesId: row.seriesId,
    surveyTitle: content.surveyTitle[lang],
    surveyTitleLang: titleLangOf(content, lang),
    scope: row.scope as SnapshotScope,
    publishedAt: row.publishedAt.toISOString(),
    current,
    overall: publicCell(content.report.overall.cells[content.report.meta.overall]),
  }
}

export interface PublicActionView {
  id: string
  wording: string
  /** the language of `wording` (English where an action has no Welsh wording, on the Welsh page) */
  wordingLang: Lang
  completedAt: string | null
}

/**
 * The public results of an organisation: its name, every snapshot (newest first, the newest of each series
 * current), the chosen snapshot's content (default: the newest) and the completed actions staff chose to show
 * for its series. Null when there is no such organisation or snapshot.
 */
export async function loadPublicResults(
  db: Database,
  orgSlug: string,
  snapshotId: string | null,
  lang: Lang,
): Promise<null | {
  organisationName: string
  snapshots: SnapshotSummary[]
  selected: {
    id: string
    scope: SnapshotScope
    publishedAt: string
    surveyTitle: string
    surveyTitleLang: Lang
    current: boolean
    content: PublishedResults
  } | null
  actions: PublicActionView[]
}> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(orgSlug)) return null
  const organisation = await findOrganisationBySlug(db, orgSlug)
  if (!organisation) return null
  const rows = await listResultSnapshots(db, organisation.id)
  const seen = new Set<string>()
  const snapshots = rows.map((row) => {
    const current = !seen.has(row.seriesId)
    seen.add(row.seriesId)
    return summaryOf(row, current, lang)
  })
  if (snapshotId !== null && !rows.some((r) => r.id === snapshotId)) return null
  const chosen = snapshotId === null ? rows[0] : rows.find((r) => r.id === snapshotId)
  const selected = chosen
    ? {
        id: chosen.id,
        scope: chosen.scope as SnapshotScope,
        publishedAt: chosen.publishedAt.toISOString(),
        surveyTitle: (chosen.content as PublishedResults).surveyTitle[lang],
        surveyTitleLang: titleLangOf(chosen.content as PublishedResults, lang),
        current: snapshots.find((s) => s.id === chosen.id)!.current,
        content: chosen.content as PublishedResults,
      }
    : null
  // The actions frozen with the snapshot; a snapshot published before they were frozen reads them live, as then.
  const frozen = chosen ? (chosen.content as PublishedResults).actions : undefined
  const actions = chosen
    ? (frozen ?? publishedActions(await listPublicActions(db, organisation.id), chosen.seriesId)).map((a) => ({
        id: a.id,
        wording: a.wording[lang].text,
        wordingLang: a.wording[lang].lang,
        completedAt: a.completedAt,
      }))
    : []
  return { organisationName: organisation.name, snapshots, selected, actions }
}
