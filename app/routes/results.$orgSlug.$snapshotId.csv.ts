import type { LoaderFunctionArgs } from '@remix-run/node'
import { langOf } from '#app/i18n/catalogue.ts'
import { loadPublicResults, resultsCsv } from '#app/services/public-results.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { idParam, textParam } from '#app/utils/params.ts'

/** The open-data CSV of one published snapshot: the page's figures (app/services/public-results.server.ts). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const orgSlug = textParam(params, 'orgSlug', 'Results')
  const snapshotId = idParam(params, 'snapshotId', 'Results')
  const lang = langOf(new URL(request.url).searchParams.get('lang'))
  const found = await loadPublicResults(await getDb(), orgSlug, snapshotId, lang)
  if (!found?.selected) throw new Response('Results not found', { status: 404 })
  return new Response(resultsCsv(found.selected.content, lang), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="results-${orgSlug}-${snapshotId.slice(0, 8)}${lang === 'cy' ? '-cy' : ''}.csv"`,
    },
  })
}
