import { z } from 'zod'
import { findPublishedSurveyBySlug } from '#db/queries/surveys.ts'
import { optOutByToken } from '#db/queries/invitation-mailings.ts'
import { langOf } from '#app/i18n/catalogue.ts'
import { getDb } from '#app/utils/db.server.ts'
import { preferredLang } from '#app/services/respondent-lang.server.ts'
import { log } from '#app/utils/logger.server.ts'

/*
 * The opt-out link in every invitation e-mail (app/services/invitation-email.ts): the page asks before acting,
 * so a mail scanner that opens links changes nothing; the POST stops reminders and deletes the address at once
 * (db/queries/invitation-mailings.ts optOutByToken). The same answer for a known and an unknown token would
 * hide nothing worth hiding here, so the page says plainly which it was.
 */

const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{20,64}$/)

async function surveyOf(slug: string) {
  const db = await getDb()
  const published = await findPublishedSurveyBySlug(db, slug)
  if (!published) throw new Response('We could not find that survey.', { status: 404 })
  return { db, surveyId: published.survey.id }
}

export async function loadOptOutPage(request: Request, slug: string) {
  await surveyOf(slug)
  const url = new URL(request.url)
  const token = tokenSchema.safeParse(url.searchParams.get('invitation'))
  return { lang: preferredLang(request), invitation: token.success ? token.data : null, outcome: null }
}

export async function handleOptOut(request: Request, slug: string) {
  const { db, surveyId } = await surveyOf(slug)
  const url = new URL(request.url)
  const form = await request.formData()
  const lang = langOf(form.get('lang') ?? url.searchParams.get('lang'))
  const token = tokenSchema.safeParse(form.get('invitation'))
  const done = token.success ? await optOutByToken(db, surveyId, token.data) : false
  if (done) log('info', { event: 'invitations.opted_out', surveyId, count: 1 })
  return { lang, invitation: null, outcome: done ? ('done' as const) : ('unknown' as const) }
}
