import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { rowsOf } from '#db/client.ts'
import { handleFormSubmission, loadRespondentPage } from '#app/routes/s.$slug.server.ts'
import { submitResponse } from '#app/services/submit-response.server.ts'
import { demoDatabase } from '#tests/support/collect-fixtures.ts'
import type { TestDatabase } from '#tests/support/database.ts'

/**
 * Issue 13: the respondent form walks the survey part by part on the server (app/routes/s.$slug.server.ts,
 * app/services/respondent-pages.server.ts). Without a browser: what each post answers, what is stored.
 * The demo survey has four parts: your contact (service, channel), how we did (7 ratings), your ideas
 * (improve), about you (equality questions, two of them conditional on an answer on the same part).
 */
let test: TestDatabase
let surveyId: string

beforeAll(async () => {
  ;({ test, surveyId } = await demoDatabase(5))
})
afterAll(async () => {
  await test.close()
})

type Step = {
  view: { page: number; position: number; count: number; last: boolean; asked: string[]; hidden: string[] }
  values: Record<string, string[]>
  problems: Array<{ question: string; message: string }>
  clientId: string
}

function post(fields: Array<[string, string]>, slug = 'demo') {
  const body = new URLSearchParams(fields)
  return handleFormSubmission(
    new Request(`http://localhost/s/${slug}`, { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
    slug,
  )
}
const stepOf = (result: unknown) => (result as { data: Step }).data
const statusOf = (result: unknown) => (result as { init?: { status?: number } | null }).init?.status ?? 200

describe('the respondent form, one part at a time', () => {
  it('opens on the first part and does not ask the question a URL segment answers', async () => {
    const page = await loadRespondentPage(new Request('http://localhost/s/demo?channel=phone'), 'demo')
    expect(page.step.view).toMatchObject({ page: 0, position: 1, count: 4, last: false })
    expect(page.step.view.asked).toEqual(['service'])
    const plain = await loadRespondentPage(new Request('http://localhost/s/demo'), 'demo')
    expect(plain.step.view.asked).toEqual(['service', 'channel'])
  })

  it('Next carries every answer, Previous goes back without losing any, and the last part sends them all', async () => {
    const clientId = crypto.randomUUID()
    const base: Array<[string, string]> = [['clientId', clientId], ['lang', 'en'], ['segment.channel', 'phone']]
    const first = stepOf(await post([...base, ['page', '0'], ['intent', 'next'], ['service', 'libraries']]))
    expect(first.view.page).toBe(1)
    expect(first.values.service).toEqual(['libraries'])
    const second = stepOf(await post([...base, ['page', '1'], ['intent', 'next'], ['service', 'libraries'], ['overall', '5'], ['delivery', '4']]))
    expect(second.view.page).toBe(2)
    const back = stepOf(await post([...base, ['page', '2'], ['intent', 'previous'], ['service', 'libraries'], ['overall', '5'], ['delivery', '4'], ['improve', 'More staff']]))
    expect(back.view.page).toBe(1)
    expect(back.values).toMatchObject({ service: ['libraries'], overall: ['5'], improve: ['More staff'] })
    const sent = (await post([
      ...base,
      ['page', '3'],
      ['intent', 'next'],
      ['service', 'libraries'],
      ['overall', '5'],
      ['delivery', '4'],
      ['improve', 'More staff'],
      ['channel', 'online'], // tampered: the link said phone, and the page never asked
      ['long_term_condition', 'no'],
      ['reduced_activity', 'yes_a_lot'], // hidden: long_term_condition is not "yes"
    ])) as Response
    expect(sent.status).toBe(302)
    const receipt = new URL(sent.headers.get('Location')!, 'http://localhost').searchParams.get('receipt')!
    const [row] = rowsOf<{ answers: Record<string, unknown>; segments: Record<string, string>; source: string }>(
      await test.db.execute(sql`select answers, segments, source from responses where receipt = ${receipt}`),
    )
    expect(row!.answers).toEqual({ service: 'libraries', overall: 5, delivery: 4, improve: 'More staff', long_term_condition: 'no' })
    expect(row!.segments.channel).toBe('phone')
    expect(row!.source).toBe('nojs')
  })

  it('refuses a blank response, in the page language, and stores nothing', async () => {
    const count = async () => Number(rowsOf<{ n: string }>(await test.db.execute(sql`select count(*) as n from responses where survey_id = ${surveyId}`))[0]!.n)
    const before = await count()
    for (const [lang, message] of [['en', /You have not answered any questions/], ['cy', /Nid ydych wedi ateb unrhyw gwestiynau/]] as const) {
      const result = await post([['clientId', crypto.randomUUID()], ['lang', lang], ['page', '3'], ['intent', 'next']])
      expect(statusOf(result)).toBe(422)
      const step = stepOf(result)
      expect(step.problems).toEqual([{ question: 'form', message: expect.stringMatching(message) }])
      expect(step.view.page).toBe(3)
    }
    // The JSON API refuses it too (in English), and a hidden question's answer alone does not count.
    const api = await submitResponse('demo', { id: crypto.randomUUID(), answers: { reduced_activity: 'yes_a_lot' }, segments: {} }, 'api')
    expect(api).toMatchObject({ kind: 'invalid', problems: [{ question: 'form' }] })
    expect(await count()).toBe(before)
  })

  it('names a question in Welsh in a Welsh validation message', async () => {
    const result = await post([['clientId', crypto.randomUUID()], ['lang', 'cy'], ['page', '1'], ['intent', 'next'], ['overall', '9']])
    expect(statusOf(result)).toBe(422)
    const [problem] = stepOf(result).problems
    expect(problem!.question).toBe('overall')
    expect(problem!.message).toMatch(/nid yw "9" yn un o'r atebion a gynigir/)
    expect(problem!.message).not.toMatch(/satisfied/)
  })

  it('answers which questions of a part to hide, for the answers so far', async () => {
    const ask = async (extra: Array<[string, string]>) =>
      (await post([['clientId', crypto.randomUUID()], ['page', '3'], ['intent', 'visibility'], ...extra]) as { data: { visibility: { hidden: string[]; last: boolean } } }).data.visibility
    expect((await ask([])).hidden.sort()).toEqual(['gender_identity_text', 'reduced_activity'])
    expect((await ask([['long_term_condition', 'yes']])).hidden).toEqual(['gender_identity_text'])
    expect((await ask([['gender_identity', 'no'], ['long_term_condition', 'yes']])).hidden).toEqual([])
    expect((await ask([])).last).toBe(true)
  })

  it('a 404 and a closed survey\'s 410 are never cached', async () => {
    const thrown = async (work: Promise<unknown>) => work.then(() => null, (e: unknown) => e as Response)
    const missing = await thrown(loadRespondentPage(new Request('http://localhost/s/nope'), 'nope'))
    expect(missing?.status).toBe(404)
    expect(missing?.headers.get('Cache-Control')).toBe('no-store')
    await test.db.execute(sql`update surveys set status = 'closed' where id = ${surveyId}`)
    try {
      const closed = await thrown(loadRespondentPage(new Request('http://localhost/s/demo'), 'demo'))
      expect(closed?.status).toBe(410)
      expect(closed?.headers.get('Cache-Control')).toBe('no-store')
    } finally {
      await test.db.execute(sql`update surveys set status = 'open' where id = ${surveyId}`)
    }
  })
})
