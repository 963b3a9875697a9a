import { sql } from 'drizzle-orm'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { PrivacyNotice } from '#app/components/privacy-notice.tsx'
import { loadRespondentPage } from '#app/routes/s.$slug.server.ts'
import { seedDemo } from '#db/seed.ts'
import { publishSurvey } from '#db/queries/surveys.ts'
import { rowsOf } from '#db/client.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '../support/database.ts'

/** Every survey shows a privacy notice (the standard one, or the survey's own from the builder) and its title, in its language. */
let test: TestDatabase
beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  await seedDemo(test.db, { responses: 0 })
})
afterAll(async () => test?.close())

const page = (query = '') => loadRespondentPage(new Request(`http://localhost/s/demo${query}`), 'demo')

it('shows the standard notice, with the retention period, when the survey has none of its own', async () => {
  const data = await page()
  expect(data.privacyNotice).toBeNull()
  const html = renderToStaticMarkup(
    createElement(PrivacyNotice, {
      lang: 'en',
      organisationName: data.organisationName,
      retentionDays: data.retentionDays,
      custom: data.privacyNotice,
    }),
  )
  expect(html).toContain('Demo Council uses your answers')
  expect(html).toContain('about 24 months')
})

it("shows the survey's own notice in the respondent's language, as text only", async () => {
  // The builder's path: the notice goes into the draft, and publishing makes it the live version.
  const [survey] = rowsOf<{ id: string; organisation_id: string }>(
    await test.db.execute(sql`
      update surveys set draft_definition = draft_definition || ${JSON.stringify({
        privacyNotice: {
          default: 'We keep answers for one year. <img src=x onerror=alert(1)>Ask us anything.',
          cy: 'Rydym yn cadw atebion am flwyddyn.',
        },
      })}::jsonb where slug = 'demo' returning id, organisation_id`),
  )
  await publishSurvey(test.db, survey!.organisation_id, survey!.id, null)
  const english = await page()
  expect(english.privacyNotice).toBe('We keep answers for one year. Ask us anything.')
  const welsh = await page('?lang=cy')
  expect(welsh.privacyNotice).toBe('Rydym yn cadw atebion am flwyddyn.')
  const html = renderToStaticMarkup(
    createElement(PrivacyNotice, {
      lang: 'cy',
      organisationName: 'x',
      retentionDays: 365,
      custom: welsh.privacyNotice,
    }),
  )
  expect(html).toContain('Eich preifatrwydd')
  expect(html).toContain('Rydym yn cadw atebion am flwyddyn.')
  expect(html).not.toContain('Mae x yn defnyddio')
})

it('says in English and Welsh how long an invitee’s e-mail address is kept (decision 020)', () => {
  for (const [lang, text] of [
    ['en', 'If we invited you by e-mail, we keep your address only while we might send you a reminder'],
    ['cy', 'Os gwnaethom eich gwahodd drwy e-bost'],
  ] as const) {
    const html = renderToStaticMarkup(createElement(PrivacyNotice, { lang, organisationName: 'Demo Council', retentionDays: 730 }))
    expect(html).toContain(text)
    expect(html).toContain('60')
  }
})

// The survey title in each language (WCAG 3.1.2, language of parts): app/components/respondent-form.tsx puts
// `form.titleLang` on the h1 when it differs from the page's language.
it('shows the Welsh title on the Welsh page, and the English one marked as English where there is no Welsh', async () => {
  const [survey] = rowsOf<{ id: string; organisation_id: string }>(
    await test.db.execute(sql`
      update surveys set draft_definition = draft_definition || ${JSON.stringify({
        title: { default: 'Tell us about our library', cy: 'Dywedwch wrthym am ein llyfrgell' },
      })}::jsonb where slug = 'demo' returning id, organisation_id`),
  )
  await publishSurvey(test.db, survey!.organisation_id, survey!.id, null)
  const english = await page()
  expect(english.form).toMatchObject({ title: 'Tell us about our library', titleLang: 'en' })
  const welsh = await page('?lang=cy')
  expect(welsh.lang).toBe('cy')
  expect(welsh.form).toMatchObject({ title: 'Dywedwch wrthym am ein llyfrgell', titleLang: 'cy' })

  await test.db.execute(sql`
    update surveys set draft_definition = draft_definition || ${JSON.stringify({
      title: { default: 'Tell us about our museum' },
    })}::jsonb where slug = 'demo'`)
  await publishSurvey(test.db, survey!.organisation_id, survey!.id, null)
  const fallback = await page('?lang=cy')
  expect(fallback.form).toMatchObject({ title: 'Tell us about our museum', titleLang: 'en' })
  expect((await page()).form).toMatchObject({ title: 'Tell us about our museum', titleLang: 'en' })
})
