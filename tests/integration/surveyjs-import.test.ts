import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getSurveyForOrganisation, listSurveysForOrganisation } from '#db/queries/surveys.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { handleImport } from '#app/routes/app.surveys.import-json.server.ts'
import { handleMapping, loadMapping } from '#app/routes/app.surveys.$surveyId.mapping.server.ts'
import { handleSurveyAction } from '#app/routes/app.surveys.$surveyId.server.ts'
import { handleBuilderAction } from '#app/routes/app.surveys.$surveyId.edit.server.ts'
import { readDraft } from '#app/services/builder-draft.server.ts'
import { answerValues, listQuestions } from '#templates/index.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'

/*
 * Item 6 of issue 13: a plain SurveyJS definition, as SurveyJS Creator saves it, is imported as a draft, mapped on
 * the mapping page (drivers, codings, groups), and only then published (docs/decisions/023-…).
 */

const CREATOR_JSON = readFileSync(
  new URL('../fixtures/surveyjs-creator/council-feedback.json', import.meta.url),
  'utf8',
)

let test: TestDatabase
let tenant: Tenant
let other: Tenant
let cookie: string
let otherCookie: string

type Reply = {
  data: { problems?: Array<{ message: string }>; errors?: Record<string, string> }
  init: ResponseInit | null
}

async function post(
  handler: (request: Request) => Promise<unknown>,
  path: string,
  body: FormData | URLSearchParams,
  as = cookie,
): Promise<unknown> {
  const request = new Request(`http://localhost${path}`, { method: 'POST', headers: { Cookie: as }, body })
  return handler(request).catch((thrown: unknown) => thrown)
}
const statusOf = (r: unknown) => (r instanceof Response ? r.status : ((r as Reply).init?.status ?? 200))
const messages = (r: unknown) =>
  [
    ...((r as Reply).data.problems ?? []).map((p) => p.message),
    ...Object.values((r as Reply).data.errors ?? {}),
  ].join('\n')

function importForm(json: string) {
  const form = new FormData()
  form.set('json', json)
  form.set('slug', `sj-${randomUUID().slice(0, 8)}`)
  form.set('wave', '2026')
  form.set('title', '')
  return form
}

async function importCreator(): Promise<string> {
  const response = await post(handleImport, '/app/surveys/import-json', importForm(CREATOR_JSON))
  expect(statusOf(response)).toBe(302)
  const location = (response as Response).headers.get('Location')!
  expect(location).toMatch(/^\/app\/surveys\/[^/]+\/mapping$/)
  return location.split('/')[3]!
}

async function draftOf(id: string) {
  const survey = (await getSurveyForOrganisation(test.db, tenant.organisationId, id))!
  return readDraft(survey.draftDefinition, survey.draftMetadata)
}

const mapping = (id: string, as = cookie) =>
  loadMapping(new Request(`http://localhost/app/surveys/${id}/mapping`, { headers: { Cookie: as } }), id)
const saveMapping = (id: string, fields: Array<[string, string]>, as = cookie) =>
  post((r) => handleMapping(r, id), `/app/surveys/${id}/mapping`, new URLSearchParams(fields), as)
const publish = (id: string) =>
  post((r) => handleSurveyAction(r, id), `/app/surveys/${id}`, new URLSearchParams({ intent: 'publish' }))

/** The form as the page submits it when the analyst accepts every suggestion. */
async function suggestedFields(id: string): Promise<Array<[string, string]>> {
  const view = await mapping(id)
  return [
    ['intent', 'map'],
    ...view.ratings.flatMap(
      (r): Array<[string, string]> => [
        [`driver.${r.name}`, r.suggested.driver],
        [`coding.${r.name}`, r.suggested.coding],
      ],
    ),
    ...view.segments
      .filter((s) => s.suggested)
      .flatMap(
        (s): Array<[string, string]> => [
          [`segment.${s.name}`, 'yes'],
          [`segmentLabel.${s.name}`, s.title],
        ],
      ),
  ]
}

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  tenant = await createTenant(test.db, 'Creator')
  other = await createTenant(test.db, 'Elsewhere')
  cookie = (await startSession(tenant.users.analyst.id, tenant.organisationId)).split(';')[0]!
  otherCookie = (await startSession(other.users.analyst.id, other.organisationId)).split(';')[0]!
})
afterAll(async () => {
  await test?.close()
})

describe('importing a plain SurveyJS Creator definition', () => {
  it('becomes a draft with our question names, working conditions and no mapping yet', async () => {
    const id = await importCreator()
    const survey = (await getSurveyForOrganisation(test.db, tenant.organisationId, id))!
    expect(survey.title).toBe('Customer Feedback Survey')
    expect(survey.status).not.toBe('open')
    expect(survey.currentVersionId).toBeNull()
    const { definition, metadata } = await draftOf(id)
    expect(metadata.importedFrom).toBe('surveyjs')
    expect(metadata.ratings).toEqual({})
    expect(metadata.comments.map((c) => c.question)).toEqual(['question7', 'question10'])
    const names = listQuestions(definition).map((q) => q.name)
    // "Service" and "Q3 Overall" are not names of ours; the condition that read {Q3 Overall} follows the rename.
    expect(names).toEqual([
      'service',
      'question2',
      'q3_overall',
      'question4',
      'question5',
      'question6',
      'question7',
      'age',
      'question9',
      'question10',
    ])
    expect(listQuestions(definition).find((q) => q.name === 'question7')!.element.visibleIf).toBe(
      '{q3_overall} <= 2',
    )
    expect(definition.logoPosition).toBe('right')
  })

  it('suggests drivers, codings and groups from types, wording and answers, and says what is unmapped', async () => {
    const id = await importCreator()
    const view = await mapping(id)
    const suggested = Object.fromEntries(view.ratings.map((r) => [r.name, r.suggested]))
    expect(Object.keys(suggested)).toEqual(['q3_overall', 'question4', 'question5', 'question6'])
    expect(suggested.q3_overall).toMatchObject({ driver: 'overall', coding: 'high:2' })
    expect(suggested.question4).toMatchObject({ driver: 'timeliness', coding: 'high:2' })
    expect(suggested.question5).toMatchObject({ driver: 'staff_attitude', coding: 'high:2' })
    // A 1–10 ease scale: 7 to 10 count as satisfied.
    expect(suggested.question6).toMatchObject({ driver: 'information', coding: 'high:4' })
    const q6 = view.ratings.find((r) => r.name === 'question6')!
    expect(q6.options.find((o) => o.key === 'high:4')!.label).toBe(
      'Higher is better: 7, 8, 9, 10 count as satisfied, 5, 6 as neither, 1, 2, 3, 4 as dissatisfied',
    )
    expect(view.segments.map((s) => [s.name, s.suggested])).toEqual([
      ['service', true],
      ['question2', true],
      ['age', true],
    ])
    expect(view.status.ready).toBe(false)
    expect(view.status.hasOverall).toBe(false)
    expect(view.status.unmapped.map((u) => u.name)).toEqual([
      'q3_overall',
      'question4',
      'question5',
      'question6',
    ])
    expect(view.status.otherProblems.join('\n')).toMatch(/"question9" is a "boolean" question/)
    // Suggestions are not a mapping: nothing is stored until the analyst saves.
    expect((await draftOf(id)).metadata.ratings).toEqual({})
  })

  it('reads a reversed scale (1 = very satisfied) as lower is better', async () => {
    const reversed = JSON.parse(CREATOR_JSON)
    reversed.pages[1].elements[2].choices = [
      'Very satisfied',
      'Satisfied',
      'Neither',
      'Dissatisfied',
      'Very dissatisfied',
    ].map((text, i) => ({ value: i + 1, text }))
    const response = await post(
      handleImport,
      '/app/surveys/import-json',
      importForm(JSON.stringify(reversed)),
    )
    const id = (response as Response).headers.get('Location')!.split('/')[3]!
    const q5 = (await mapping(id)).ratings.find((r) => r.name === 'question5')!
    expect(q5.suggested.coding).toBe('low:2')
    expect(q5.suggested.reason).toMatch(/because 1 is "Very satisfied"/)
  })
})

describe('publishing an imported survey', () => {
  it('is refused, in plain English, until a rating measures overall satisfaction', async () => {
    const id = await importCreator()
    const refused = await publish(id)
    expect(statusOf(refused)).toBe(422)
    expect(messages(refused)).toMatch(
      /No question measures overall satisfaction yet, so this survey cannot be published/,
    )

    // Map everything but overall: still refused for that reason.
    const fields = (await suggestedFields(id)).map(([k, v]): [string, string] =>
      k === 'driver.q3_overall' ? [k, 'not_a_driver'] : [k, v],
    )
    expect(statusOf(await saveMapping(id, fields))).toBe(302)
    const { definition } = await draftOf(id)
    const stillRefused = await publish(id)
    expect(statusOf(stillRefused)).toBe(422)
    expect(messages(stillRefused)).toMatch(/No question measures overall satisfaction/)
    expect(listQuestions(definition).length).toBe(10)
  })

  it('publishes once mapped (and the unsupported question removed), with the codings and groups chosen', async () => {
    const id = await importCreator()
    const saved = await saveMapping(id, await suggestedFields(id))
    expect(statusOf(saved)).toBe(302)
    expect((saved as Response).headers.get('Location')).toBe(`/app/surveys/${id}/mapping?saved=1`)
    const { definition, metadata } = await draftOf(id)
    expect(metadata.ratings.q3_overall).toEqual({
      driver: 'overall',
      coding: { satisfied: [4, 5], neither: [3], dissatisfied: [1, 2], dontKnow: ['dont_know'] },
    })
    expect(metadata.ratings.question6!.coding.satisfied).toEqual([7, 8, 9, 10])
    expect(metadata.segments).toEqual([
      { question: 'service', label: 'Which service did you contact us about?' },
      { question: 'question2', label: 'How did you contact us?' },
      { question: 'age', label: 'What is your age?' },
    ])
    // Every mapped rating now offers "Don't know / not applicable", kept out of the base.
    for (const name of ['q3_overall', 'question4', 'question5', 'question6']) {
      const q = listQuestions(definition).find((x) => x.name === name)!
      expect(answerValues(q.element), name).toContain('dont_know')
    }
    const view = await mapping(id)
    expect(view.status.unmapped).toEqual([])
    expect(view.status.hasOverall).toBe(true)

    const blocked = await publish(id)
    expect(statusOf(blocked)).toBe(422)
    expect(messages(blocked)).toMatch(/boolean/)
    const removed = await post(
      (r) => handleBuilderAction(r, id),
      `/app/surveys/${id}/edit`,
      new URLSearchParams({ intent: 'delete-question', name: 'question9' }),
    )
    expect(statusOf(removed)).toBeLessThan(400)
    expect((await mapping(id)).status.ready).toBe(true)
    const published = await publish(id)
    expect(statusOf(published)).toBe(200)
    const survey = (await getSurveyForOrganisation(test.db, tenant.organisationId, id))!
    expect(survey.currentVersionId).not.toBeNull()
  })

  it('refuses two overall measures, unknown questions and bad values, saying why', async () => {
    const id = await importCreator()
    const two = await saveMapping(id, [
      ['driver.q3_overall', 'overall'],
      ['coding.q3_overall', 'high:2'],
      ['driver.question4', 'overall'],
      ['coding.question4', 'high:2'],
    ])
    expect(statusOf(two)).toBe(422)
    expect(messages(two)).toMatch(/Only one question can measure overall satisfaction/)
    const unknown = await saveMapping(id, [['driver.service', 'overall']])
    expect(statusOf(unknown)).toBe(422)
    expect(messages(unknown)).toMatch(/"service" is not a rating question/)
    const segmentOnRating = await saveMapping(id, [['segment.q3_overall', 'yes']])
    expect(statusOf(segmentOnRating)).toBe(422)
    expect(statusOf(await saveMapping(id, [['driver.q3_overall', 'happiness']]))).toBe(400)
    expect(
      statusOf(
        await saveMapping(id, [
          ['driver.q3_overall', 'overall'],
          ['coding.q3_overall', 'top:9'],
        ]),
      ),
    ).toBe(400)
    expect(
      statusOf(
        await saveMapping(id, [
          ['driver.q3_overall', 'overall'],
          ['coding.q3_overall', 'high:7'],
        ]),
      ),
    ).toBe(422)
    expect((await draftOf(id)).metadata.ratings).toEqual({})
  })
})

describe('hostile input', () => {
  it('answers every hostile import with a 4xx and stores nothing', async () => {
    const deep = `{"pages":[{"name":"p","elements":[${'{"a":['.repeat(400)}${']}'.repeat(400)}]}]}`
    const proto =
      '{"pages":[{"name":"p","elements":[{"type":"text","name":"a","__proto__":{"polluted":true}}]}]}'
    const cases: Array<[string, RegExp]> = [
      [deep, /nests too deeply/],
      [proto, /__proto__/],
      ['{"pages":[]}', /no pages/],
      ['{"pages":"yes"}', /needs a "definition"/],
      ['[{"pages":[]}]', /must be an object/],
      ['{"pages":[{"name":"p","elements":[{"type":"html","name":"h","html":"<p>hi</p>"}]}]}', /no questions/],
      [
        JSON.stringify({ pages: Array.from({ length: 101 }, (_, i) => ({ name: `p${i}`, elements: [] })) }),
        /too many pages/,
      ],
      ['{"pages":[{"name":"p","elements":[{"type":"text","name":"a"},{"type":"text","name":"A"}]}]}', /.*/],
      ['{"pages":[{"name":"p","elements":[{"name":"a"}]}]}', /SurveyJS survey/],
      [
        '{"pages":[{"name":"p","elements":[{"type":"text","name":"a","title":{"default":7}}]}]}',
        /SurveyJS survey/,
      ],
    ]
    const before = (await listSurveysForOrganisation(test.db, tenant.organisationId)).length
    for (const [json, message] of cases) {
      const result = await post(handleImport, '/app/surveys/import-json', importForm(json))
      if (json.includes('"A"')) {
        // Two names that differ only in case are both kept, made unique: that is a valid import.
        expect(statusOf(result), json.slice(0, 80)).toBe(302)
        continue
      }
      expect(statusOf(result), json.slice(0, 80)).toBeGreaterThanOrEqual(400)
      expect(statusOf(result), json.slice(0, 80)).toBeLessThan(500)
      expect(messages(result), json.slice(0, 80)).toMatch(message)
    }
    // Only the one valid case (two names differing in case) created a survey.
    expect((await listSurveysForOrganisation(test.db, tenant.organisationId)).length).toBe(before + 1)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('refuses a file over 2 MB and hostile mapping forms with 400, and another organisation gets 404', async () => {
    const big = new FormData()
    big.set(
      'file',
      new File(['{"pages":[' + ' '.repeat(2_000_001) + ']}'], 'big.json', { type: 'application/json' }),
    )
    big.set('slug', `sj-${randomUUID().slice(0, 8)}`)
    big.set('wave', '2026')
    expect(statusOf(await post(handleImport, '/app/surveys/import-json', big))).toBe(400)

    const id = await importCreator()
    expect(statusOf(await saveMapping(id, [['driver.__proto__', 'overall']]))).toBe(400)
    expect(statusOf(await saveMapping(id, [['driver.constructor', 'overall']]))).toBe(400)
    expect(statusOf(await saveMapping(id, [['nonsense', 'x']]))).toBe(400)
    expect(statusOf(await saveMapping(id, [['driver.Not A Name', 'overall']]))).toBe(400)
    const foreign = await saveMapping(id, await suggestedFields(id), otherCookie)
    expect(statusOf(foreign)).toBe(404)
    const foreignView = await mapping(id, otherCookie).catch((thrown: unknown) => thrown)
    expect(statusOf(foreignView)).toBe(404)
    expect((await draftOf(id)).metadata.ratings).toEqual({})
  })
})
