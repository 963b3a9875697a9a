import { findPublishedSurveyBySlug } from '#db/queries/surveys.ts'
import { receiptExists } from '#db/queries/responses.ts'
import { getDb } from '#app/utils/db.server.ts'
import { completedTextOf } from '#app/services/respondent-form.server.ts'
import { preferredLang } from '#app/services/respondent-lang.server.ts'

/** The confirmation shows a receipt only if that receipt is really committed for this survey. */
export async function loadThanksPage(request: Request, slug: string) {
  const url = new URL(request.url)
  const db = await getDb()
  const published = await findPublishedSurveyBySlug(db, slug)
  if (!published) throw new Response('We could not find that survey.', { status: 404 })
  const receipt = url.searchParams.get('receipt')
  const lang = preferredLang(request)
  if (receipt !== null) {
    const valid =
      /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/.test(receipt) &&
      (await receiptExists(db, published.survey.id, receipt))
    if (!valid) throw new Response('We could not find that response.', { status: 404 })
  }
  // The completion text set in the builder (issue 13: it was never shown).
  return { receipt, lang, completedText: completedTextOf(published.version.definition, lang) }
}
