import { langOf } from '#app/i18n/catalogue.ts'
import { loadPublicResults, resultTables } from '#app/services/public-results.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { isUuid } from '#app/utils/params.ts'

/*
 * The public results pages (/results/:orgSlug and /results/:orgSlug/:snapshotId): no login; a frozen snapshot
 * rendered in English or Welsh (?lang=cy). Unknown organisations and snapshots are 404.
 */
export async function loadResultsPage(request: Request, orgSlug: string, snapshotId: string | null) {
  const lang = langOf(new URL(request.url).searchParams.get('lang'))
  if (snapshotId !== null && !isUuid(snapshotId)) throw new Response('Results not found', { status: 404 })
  const found = await loadPublicResults(await getDb(), orgSlug, snapshotId, lang)
  if (!found) throw new Response('Results not found', { status: 404 })
  const { selected, ...rest } = found
  return {
    lang,
    orgSlug,
    requestedId: snapshotId,
    ...rest,
    selected: selected
      ? {
          id: selected.id,
          scope: selected.scope,
          publishedAt: selected.publishedAt,
          surveyTitle: selected.surveyTitle,
          surveyTitleLang: selected.surveyTitleLang,
          current: selected.current,
          view: resultTables(selected.content, lang),
        }
      : null,
  }
}

export type ResultsPageData = Awaited<ReturnType<typeof loadResultsPage>>
