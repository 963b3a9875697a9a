import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadRespondentPage } from '#app/routes/s.$slug.server.ts'
import { submitResponse } from '#app/services/submit-response.server.ts'
import { createOrganisation } from '#db/queries/accounts.ts'
import { createSurvey, publishSurvey } from '#db/queries/surveys.ts'
import { TEMPLATE_IDS, composeSurvey } from '#templates/index.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '../support/database.ts'

/*
 * Every template can be published and answered through the server-rendered form (the no-JavaScript page every
 * respondent gets first): the form lists every question with its choices, in English and, where the template
 * has it, in Welsh; answering the first choice of every question is accepted and stored.
 */
let test: TestDatabase
let organisationId: string

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  organisationId = (await createOrganisation(test.db, 'templates-org', 'Templates Council')).id
})
afterAll(async () => test?.close())

describe.each(TEMPLATE_IDS.map((id) => [id]))('template %s', (templateId) => {
  it('publishes, renders as a plain form in each of its languages, and accepts a complete answer', async () => {
    const { definition, metadata } = composeSurvey(
      templateId === 'equality-monitoring' ? [templateId] : [templateId, 'equality-monitoring'],
    )
    const slug = `t-${templateId}`
    const survey = await createSurvey(test.db, {
      organisationId,
      slug,
      title: templateId,
      wave: '2026',
      templateId,
      definition,
      metadata,
    })
    await publishSurvey(test.db, organisationId, survey.id, null)

    for (const lang of metadata.locales) {
      const page = await loadRespondentPage(new Request(`http://localhost/s/${slug}?lang=${lang}`), slug)
      expect(page.lang).toBe(lang)
      const questions = page.form.pages.flatMap((p) => p.questions)
      expect(questions.length).toBeGreaterThan(3)
      for (const q of questions) {
        expect(q.title.trim(), `${templateId}/${lang}: ${q.name} has a title`).not.toBe('')
        if (['radiogroup', 'checkbox', 'dropdown', 'rating'].includes(q.kind))
          expect(q.choices.length, `${q.name} choices`).toBeGreaterThan(1)
      }
      if (lang === 'cy') {
        const english = await loadRespondentPage(new Request(`http://localhost/s/${slug}`), slug)
        expect(page.form.pages[0]!.questions[0]!.title).not.toBe(english.form.pages[0]!.questions[0]!.title)
      }
    }

    const page = await loadRespondentPage(new Request(`http://localhost/s/${slug}`), slug)
    const answers: Record<string, unknown> = {}
    for (const q of page.form.pages.flatMap((p) => p.questions)) {
      if (q.conditional) continue
      if (q.kind === 'checkbox') answers[q.name] = [q.choices[0]!.value]
      else if (q.kind === 'text' || q.kind === 'comment')
        answers[q.name] = 'Plain words, as a customer would type them.'
      else if (q.kind === 'boolean') answers[q.name] = true
      else answers[q.name] = q.choices[0]!.value
    }
    const outcome = await submitResponse(slug, { id: randomUUID(), answers, segments: {} }, 'nojs')
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ kind: 'created' })
  })
})
