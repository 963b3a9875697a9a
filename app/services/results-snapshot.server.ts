import type { InsightReport } from '#analysis/insight-report-types.ts'
import type { ThemeCell } from '#analysis/theme-frequency.ts'
import type { Lang } from '#app/i18n/catalogue.ts'
import { resultsText } from '#app/i18n/results.ts'
import type { Database } from '#db/client.ts'
import { writeAudit } from '#db/queries/accounts.ts'
import { listPublicActions, type SurveyActionRow } from '#db/queries/actions.ts'
import type { AggregateFilters } from '#db/queries/aggregates.ts'
import { insertResultSnapshot, type SnapshotScope } from '#db/queries/results.ts'
import { listThemes } from '#db/queries/themes.ts'
import { commentQuestionsOf } from './comment-questions.server.ts'
import { loadSurveyThemes } from './comment-themes.server.ts'
import { loadInsight, type InsightContext } from './insight.server.ts'
import { groupLabelsOf, hasWelshText, textOf } from './survey-labels.server.ts'

/*
 * Publishing results (issue 14, item 1; docs/decisions/024-published-results-snapshots.md). An analyst publishes
 * a survey for a wave or a period: the insight report of that moment (app/services/insight.server.ts, the same
 * call the dashboard makes) is frozen with its labels in English and Welsh, without its exact estimates, and
 * stored, together with the public wording of the series' completed actions ("You said, we did") as they read
 * at that moment; republishing takes them afresh. The public page and its CSV render the stored JSON; nothing is ever recomputed, re-suppressed or
 * re-ordered for them.
 */

/** The insight report as published: every published figure, decision and note; no exact estimate. */
export type PublicReport = Omit<InsightReport, 'estimates'>

export interface PublishedLabels {
  ratings: Record<string, string>
  /** segment names as a reader says them ("service", "age"), for "Satisfaction by …" */
  segments: Record<string, string>
  groups: Record<string, Record<string, string>>
}

/**
 * A "You said, we did" action as published: its public wording in each language (the English wording, or the
 * action's title, where no Welsh wording was given; `cy.lang` says so, for the page's lang attribute) and the
 * day it was completed. Staff text only: no owner, no finding, no person.
 */
export interface PublishedAction {
  id: string
  wording: Record<Lang, { text: string; lang: Lang }>
  completedAt: string | null
}

/**
 * The comment themes of the published scope as the theme engine decided them (app/services/comment-themes.server.ts,
 * analysis/theme-frequency.ts): each theme's overall share of coded comments, hidden where the engine hides it.
 * Theme names are staff text, in English only.
 */
export interface PublishedThemes {
  /** coded comments in the scope (null when the scope's comments are held back) */
  coded: number | null
  themes: Array<{ id: string; name: string; overall: ThemeCell }>
}

/** The frozen content of a published snapshot (result_snapshots.content). */
export interface PublishedResults {
  version: 1
  organisationName: string
  /**
   * The survey's name as customers saw it: the title shown to respondents (the published definition's `title`,
   * English and Welsh, kept on the builder page under "Survey texts"). Snapshots published before 2026-12-03
   * hold the staff title in both languages.
   */
  surveyTitle: Record<Lang, string>
  /** the language each `surveyTitle` is in: the Welsh one is English when the survey has no Welsh title */
  surveyTitleLang?: Record<Lang, Lang>
  scope: SnapshotScope
  /** the segment shown as "by service" (the survey's `service` segment), if any */
  serviceSegment: string | null
  labels: Record<Lang, PublishedLabels>
  report: PublicReport
  /**
   * The completed actions marked "show publicly" of the survey's series at publication, in completion order.
   * Absent in snapshots published before actions were frozen (2026-12-03): their page reads the actions live.
   */
  actions?: PublishedAction[]
  /** absent when the survey has no coding frame, or in snapshots published before themes were (2026-12-03) */
  themes?: PublishedThemes
}

export class PublishRefused extends Error {}

/** The filters of a snapshot's scope, as the dashboard reads them (a period's end day is included). */
export function scopeFilters(scope: SnapshotScope): AggregateFilters {
  if (scope.kind === 'wave') return { waves: [scope.wave] }
  return {
    from: new Date(`${scope.from}T00:00:00Z`),
    to: new Date(new Date(`${scope.to}T00:00:00Z`).getTime() + 86_400_000),
  }
}

type Messages = (typeof resultsText)['en']

function measureLabel(t: Messages, rating: string, driver: string | undefined, fallback: string): string {
  const key = `measure_${driver ?? rating}` as keyof Messages
  const m = t[key]
  return typeof m === 'string' ? m : fallback
}

function segmentLabel(t: Messages, segment: string, fallback: string): string {
  const key = `segment_${segment}` as keyof Messages
  const m = t[key]
  return typeof m === 'string' ? m : fallback.toLowerCase()
}

/** The public actions of one series as a snapshot stores them (the wording a reader of each language sees). */
export function publishedActions(rows: ReadonlyArray<SurveyActionRow>, seriesId: string): PublishedAction[] {
  return rows
    .filter((a) => a.seriesId === seriesId)
    .map((a) => {
      const en = a.publicWording.trim() !== '' ? a.publicWording : a.title
      return {
        id: a.id,
        wording: {
          en: { text: en, lang: 'en' },
          cy: a.publicWordingCy.trim() !== '' ? { text: a.publicWordingCy, lang: 'cy' } : { text: en, lang: 'en' },
        },
        completedAt: a.completedAt?.toISOString() ?? null,
      }
    })
}

/**
 * The theme figures of a published scope, from the theme engine with the comment decisions of the scope's
 * unweighted report (the one the comments and themes pages use: it counts every respondent) and only the
 * comments of the scope's responses. Null when the survey has no theme or no rating question.
 */
async function publishedThemes(
  db: Database,
  organisationId: string,
  surveyId: string,
  scope: SnapshotScope,
  context: InsightContext,
): Promise<PublishedThemes | null> {
  const themeScope = { organisationId, surveyId, seriesId: context.survey.seriesId }
  if (Object.keys(context.metadata.ratings).length === 0) return null
  if ((await listThemes(db, organisationId, surveyId)).length === 0) return null
  const filters = scopeFilters(scope)
  const unweighted = await loadInsight(db, organisationId, surveyId, { weighted: false, filters })
  if (!unweighted) return null
  const questions = commentQuestionsOf(context.definition, context.metadata)
  const { frequency } = await loadSurveyThemes(db, themeScope, unweighted.report, questions, {
    waves: filters.waves,
    from: filters.from,
    to: filters.to,
  })
  return {
    coded: frequency.coded,
    themes: frequency.themes.map((t) => ({ id: t.id, name: t.name, overall: t.overall })),
  }
}

/**
 * Freezes the insight report of a survey for a wave or a period, with the series' public actions, and stores it;
 * audited. Refuses (PublishRefused,
 * with a reason in plain English) when the view is withheld or its overall figure is too small to report.
 */
export async function publishResults(
  db: Database,
  staff: { organisationId: string; organisationName: string; userId: string },
  surveyId: string,
  scope: SnapshotScope,
): Promise<{ id: string } | null> {
  const insight = await loadInsight(db, staff.organisationId, surveyId, { filters: scopeFilters(scope) })
  if (!insight) return null
  const { report, context } = insight
  if (scope.kind === 'wave' && !context.waves.some((w) => w.wave === scope.wave))
    throw new PublishRefused(`The survey has no wave "${scope.wave}".`)
  if (report.status === 'withheld') throw new PublishRefused(report.withheldReason ?? 'These results are withheld.')
  const overall = report.overall.cells[report.meta.overall]
  if (!overall || overall.status === 'suppressed')
    throw new PublishRefused('Too few people answered in this selection to publish its results.')
  const { estimates: _estimates, ...published } = report
  const labelsIn = (lang: Lang): PublishedLabels => {
    const t = resultsText[lang]
    const groups = groupLabelsOf(context.definition, context.metadata, lang)
    return {
      ratings: Object.fromEntries(
        report.meta.ratings.map((r) => [
          r.name,
          measureLabel(t, r.name, context.metadata.ratings[r.name]?.driver, r.isOverall ? t.measure_overall : r.label),
        ]),
      ),
      segments: Object.fromEntries(report.meta.segments.map((s) => [s.name, segmentLabel(t, s.name, s.label)])),
      groups: Object.fromEntries(
        report.meta.segments.map((s) => [
          s.name,
          Object.fromEntries(
            report.rows
              .filter((r) => r.by === s.name)
              .map((r) => [
                r.group,
                r.group === '' ? t.notStated : (groups.get(s.name)?.get(r.group) ?? r.groupLabel),
              ]),
          ),
        ]),
      ),
    }
  }
  const themes = await publishedThemes(db, staff.organisationId, surveyId, scope, context)
  // The public name of the survey is the one respondents saw (the staff title only when the definition has none).
  const title = (context.definition as { title?: unknown }).title
  const titleEn = textOf(title, 'en').trim() || context.survey.title
  const titleCy = hasWelshText(title) ? textOf(title, 'cy') : null
  const content: PublishedResults = {
    version: 1,
    organisationName: staff.organisationName,
    surveyTitle: { en: titleEn, cy: titleCy ?? titleEn },
    surveyTitleLang: { en: 'en', cy: titleCy === null ? 'en' : 'cy' },
    scope,
    serviceSegment: report.meta.segments.some((s) => s.name === 'service') ? 'service' : null,
    labels: { en: labelsIn('en'), cy: labelsIn('cy') },
    report: published,
    actions: publishedActions(await listPublicActions(db, staff.organisationId), context.survey.seriesId),
    ...(themes ? { themes } : {}),
  }
  const row = await insertResultSnapshot(db, {
    organisationId: staff.organisationId,
    surveyId,
    seriesId: context.survey.seriesId,
    scope,
    content,
    publishedBy: staff.userId,
  })
  await writeAudit(db, {
    organisationId: staff.organisationId,
    userId: staff.userId,
    action: 'results.publish',
    targetType: 'survey',
    targetId: surveyId,
    details: { snapshotId: row.id, scope },
  })
  return { id: row.id }
}
