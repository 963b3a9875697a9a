import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getSurveyForOrganisation, listSeriesSurveys } from '#db/queries/surveys.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { createNewSurvey } from '#app/routes/app.surveys.new.server.ts'
import { handleSurveyAction, loadSurveyOverview } from '#app/routes/app.surveys.$surveyId.server.ts'
import { handleBuilderAction, loadBuilder } from '#app/routes/app.surveys.$surveyId.edit.server.ts'
import { downloadSurveyJson } from '#app/routes/app.surveys.$surveyId.export-json.server.ts'
import { handleImport } from '#app/routes/app.surveys.import-json.server.ts'
import { compareWaveWording } from '#app/services/builder-waves.server.ts'
import { draftFromTemplate, moveQuestion, readDraft } from '#app/services/builder-draft.server.ts'
import { listQuestions, requireTemplate } from '#templates/index.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'

/** The builder through its page handlers: every edit is a plain form POST, as without JavaScript. */
let test: TestDatabase
let tenant: Tenant
let other: Tenant
let cookie: string

type Reply = {
  data: {
    problems: Array<{ code?: string; message: string }>
    errors: Record<string, string>
    notice?: string
  }
  init: ResponseInit | null
}

async function call(
  handler: (request: Request) => Promise<unknown>,
  path: string,
  fields: Record<string, string> | URLSearchParams | FormData,
): Promise<unknown> {
  const body =
    fields instanceof URLSearchParams || fields instanceof FormData ? fields : new URLSearchParams(fields)
  const request = new Request(`http://localhost${path}`, {
    method: 'POST',
    headers: { Cookie: cookie },
    body,
  })
  return handler(request).catch((thrown: unknown) => thrown)
}
const statusOf = (r: unknown) => (r instanceof Response ? r.status : ((r as Reply).init?.status ?? 200))
const messages = (r: unknown) =>
  [
    ...((r as Reply).data.problems ?? []).map((p) => p.message),
    ...Object.values((r as Reply).data.errors ?? {}),
  ].join('\n')

async function newSurvey(templateId = 'core-satisfaction', includeEquality = false) {
  const slug = `b-${randomUUID().slice(0, 8)}`
  const created = await call(createNewSurvey, '/app/surveys/new', {
    templateId,
    title: `Builder ${slug} 2026`,
    slug,
    wave: '2026',
    ...(includeEquality ? { includeEquality: 'on' } : {}),
  })
  expect(statusOf(created)).toBe(302)
  return { id: (created as Response).headers.get('Location')!.split('/')[3]!, slug }
}
const edit = (id: string, fields: Record<string, string> | URLSearchParams) =>
  call((r) => handleBuilderAction(r, id), `/app/surveys/${id}/edit`, fields)
async function draftOf(id: string) {
  const survey = (await getSurveyForOrganisation(test.db, tenant.organisationId, id))!
  return readDraft(survey.draftDefinition, survey.draftMetadata)
}
const names = async (id: string) => listQuestions((await draftOf(id)).definition).map((q) => q.name)

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  tenant = await createTenant(test.db, 'Builder')
  other = await createTenant(test.db, 'Other')
  cookie = (await startSession(tenant.users.analyst.id, tenant.organisationId)).split(';')[0]!
})
afterAll(async () => {
  await test?.close()
})

describe('creating a survey', () => {
  it('explains every problem with the form and with a taken link name', async () => {
    const bad = await call(createNewSurvey, '/app/surveys/new', {
      templateId: 'core-satisfaction',
      title: '',
      slug: 'No Spaces!',
      wave: '',
    })
    expect(statusOf(bad)).toBe(400)
    expect(messages(bad)).toMatch(/Enter a title/)
    expect(messages(bad)).toMatch(/lower-case letters, digits and hyphens/)
    expect(messages(bad)).toMatch(/wave/)
    const taken = await call(createNewSurvey, '/app/surveys/new', {
      templateId: 'core-satisfaction',
      title: 'x',
      slug: tenant.surveySlug,
      wave: '2026',
    })
    expect(statusOf(taken)).toBe(422)
    expect(messages(taken)).toMatch(/already used/)
    const unknown = await call(createNewSurvey, '/app/surveys/new', {
      templateId: 'nope',
      title: 'x',
      slug: 'fresh-slug-1',
      wave: '2026',
    })
    expect(messages(unknown)).toMatch(/Choose one of the templates/)
  })

  it('can start from every template, with or without the equality block', async () => {
    for (const id of [
      'core-satisfaction',
      'after-contact',
      'complaint-outcome',
      'digital-access',
      'information-quality',
    ]) {
      const { id: surveyId } = await newSurvey(id, true)
      const view = await loadBuilder(
        new Request(`http://localhost/app/surveys/${surveyId}/edit`, { headers: { Cookie: cookie } }),
        surveyId,
      )
      expect(view.draft.equality).toBe(true)
      expect(view.problems, id).toEqual([])
    }
  })
})

describe('shaping the questions', () => {
  it('leaves out and puts back driver blocks and the equality block', async () => {
    const { id } = await newSurvey()
    const without = new URLSearchParams({ intent: 'blocks' })
    for (const d of ['overall', 'delivery', 'information', 'access', 'professionalism', 'staff_attitude'])
      without.append('driver', d)
    expect(statusOf(await edit(id, without))).toBe(200)
    expect(await names(id)).not.toContain('timeliness')
    expect((await draftOf(id)).metadata.ratings.timeliness).toBeUndefined()

    const back = new URLSearchParams({ intent: 'blocks', equality: 'on' })
    for (const d of [
      'overall',
      'delivery',
      'timeliness',
      'information',
      'access',
      'professionalism',
      'staff_attitude',
    ])
      back.append('driver', d)
    expect(statusOf(await edit(id, back))).toBe(200)
    const all = await names(id)
    // Timeliness returns to its standard place, between delivery and information; the equality block is at the end.
    expect(all.slice(all.indexOf('delivery'), all.indexOf('delivery') + 3)).toEqual([
      'delivery',
      'timeliness',
      'information',
    ])
    expect(all).toContain('ethnic_group')
    const draft = await draftOf(id)
    expect(draft.metadata.ratings.timeliness?.driver).toBe('timeliness')
    expect(draft.metadata.equalityQuestions).toContain('ethnic_group')
  })

  it('adds a local rating with a driver, coded SATISFACTION_5 with Don’t know, and other local questions', async () => {
    const { id } = await newSurvey()
    const rating = await edit(id, {
      intent: 'add-question',
      page: 'how_we_did',
      type: 'rating',
      name: 'bin_collection',
      titleEn: 'How satisfied are you with bin collection?',
      titleCy: 'Pa mor fodlon ydych chi â chasglu biniau?',
      driver: 'waste_collection',
    })
    expect(statusOf(rating)).toBe(200)
    const draft = await draftOf(id)
    expect(draft.metadata.ratings.bin_collection).toEqual({
      driver: 'waste_collection',
      coding: { satisfied: [4, 5], neither: [3], dissatisfied: [1, 2], dontKnow: ['dont_know'] },
    })
    const element = listQuestions(draft.definition).find((q) => q.name === 'bin_collection')!.element
    expect(element.choices?.map((c) => (typeof c === 'object' ? c.value : c))).toEqual([
      5,
      4,
      3,
      2,
      1,
      'dont_know',
    ])

    expect(
      statusOf(
        await edit(id, {
          intent: 'add-question',
          page: 'your_contact',
          type: 'single',
          name: 'site',
          titleEn: 'Which office?',
          titleCy: 'Pa swyddfa?',
          choices: 'Town hall | Neuadd y dref\nLibrary | Llyfrgell',
        }),
      ),
    ).toBe(200)
    expect(
      statusOf(
        await edit(id, {
          intent: 'add-question',
          page: 'your_ideas',
          type: 'multiple',
          name: 'heard_of',
          titleEn: 'Where did you hear of us?',
          choices: 'Radio\nLeaflet\nFriend',
        }),
      ),
    ).toBe(200)
    expect(
      statusOf(
        await edit(id, {
          intent: 'add-question',
          page: 'your_ideas',
          type: 'text',
          name: 'anything_else',
          titleEn: 'Anything else?',
        }),
      ),
    ).toBe(200)
    const after = await draftOf(id)
    expect(after.metadata.comments).toContainEqual({ question: 'anything_else' })
    expect(listQuestions(after.definition).find((q) => q.name === 'heard_of')!.type).toBe('checkbox')
  })

  it('refuses a duplicate name, a driver on a non-rating question and an empty choice list, with clear messages', async () => {
    const { id } = await newSurvey()
    const duplicate = await edit(id, {
      intent: 'add-question',
      page: 'how_we_did',
      type: 'rating',
      name: 'overall',
      titleEn: 'Again?',
    })
    expect(statusOf(duplicate)).toBe(422)
    expect(messages(duplicate)).toMatch(/Two or more questions are called "overall"/)

    const driverOnText = await edit(id, {
      intent: 'add-question',
      page: 'your_ideas',
      type: 'text',
      name: 'notes',
      titleEn: 'Notes',
      driver: 'delivery',
    })
    expect(statusOf(driverOnText)).toBe(422)
    expect(messages(driverOnText)).toMatch(/Only single-answer scale questions/)

    const driverOnMultiple = await edit(id, {
      intent: 'add-question',
      page: 'your_ideas',
      type: 'multiple',
      name: 'tags',
      titleEn: 'Tags',
      choices: 'a\nb',
      driver: 'delivery',
    })
    expect(statusOf(driverOnMultiple)).toBe(422)

    const noChoices = await edit(id, {
      intent: 'add-question',
      page: 'your_ideas',
      type: 'single',
      name: 'pick',
      titleEn: 'Pick one',
      choices: 'only one',
    })
    expect(messages(noChoices)).toMatch(/at least two answers/)

    const badName = await edit(id, {
      intent: 'add-question',
      page: 'your_ideas',
      type: 'text',
      name: 'Bad Name',
      titleEn: 'x',
    })
    expect(statusOf(badName)).toBe(400)
    expect(messages(badName)).toMatch(/lower-case letters, digits and underscores/)
    expect(await names(id)).not.toContain('notes')
  })

  it('edits wording in English and Welsh, keeping names and values, and sanitises authored HTML on save', async () => {
    const { id } = await newSurvey()
    const fields = {
      intent: 'edit-question',
      name: 'channel',
      titleEn: 'How did you get in touch? <img src=x onerror=alert(1)>',
      titleCy: 'Sut wnaethoch chi gysylltu?',
      descriptionEn: '',
      'choice.0.en': 'On the phone',
      'choice.0.cy': 'Ar y ffôn',
    }
    expect(statusOf(await edit(id, fields))).toBe(200)
    const element = listQuestions((await draftOf(id)).definition).find((q) => q.name === 'channel')!.element
    expect(element.title).toEqual({ default: 'How did you get in touch?', cy: 'Sut wnaethoch chi gysylltu?' })
    expect(element.choices?.[0]).toEqual({
      value: 'phone',
      text: { default: 'On the phone', cy: 'Ar y ffôn' },
    })

    const texts = await edit(id, {
      intent: 'texts',
      titleEn: 'Our survey<script>alert(1)</script>',
      titleCy: 'Ein harolwg',
      introductionEn: 'Takes 3 minutes.',
      introductionCy: 'Mae’n cymryd 3 munud.',
      privacyEn: 'Demo Council keeps answers for two years.',
      privacyCy: 'Mae Cyngor Demo yn cadw atebion am ddwy flynedd.',
      completionEn: '<p onclick="x()">Thanks! <a href="javascript:alert(1)">more</a></p>',
      completionCy: '<p>Diolch!</p>',
    })
    expect(statusOf(texts)).toBe(200)
    const d = (await draftOf(id)).definition
    expect(d.title).toEqual({ default: 'Our survey', cy: 'Ein harolwg' })
    expect(d.completedHtml).toEqual({ default: '<p>Thanks! <a>more</a></p>', cy: '<p>Diolch!</p>' })
    expect(d.privacyNotice).toEqual({
      default: 'Demo Council keeps answers for two years.',
      cy: 'Mae Cyngor Demo yn cadw atebion am ddwy flynedd.',
    })
  })

  it('reorders questions (across pages at the edges) and pages, and removes only empty pages', async () => {
    const { id } = await newSurvey()
    expect(statusOf(await edit(id, { intent: 'move-question', name: 'delivery', direction: 'up' }))).toBe(200)
    let order = await names(id)
    expect(order.indexOf('delivery')).toBeLessThan(order.indexOf('overall'))
    // First question of a page moving up lands at the end of the previous page.
    expect(statusOf(await edit(id, { intent: 'move-question', name: 'delivery', direction: 'up' }))).toBe(200)
    let draft = await draftOf(id)
    expect(draft.definition.pages[0]!.elements!.at(-1)!.name).toBe('delivery')
    const first = moveQuestion(draft, 'service', 'up')
    expect(first.ok ? '' : first.problems[0]!.message).toMatch(/already the first question/)

    expect(statusOf(await edit(id, { intent: 'move-page', page: 'your_ideas', direction: 'up' }))).toBe(200)
    draft = await draftOf(id)
    expect(draft.definition.pages.map((p) => p.name)).toEqual(['your_contact', 'your_ideas', 'how_we_did'])

    const notEmpty = await edit(id, { intent: 'delete-page', page: 'your_ideas' })
    expect(messages(notEmpty)).toMatch(/still has questions/)
    expect(statusOf(await edit(id, { intent: 'add-page', titleEn: 'Spare', titleCy: 'Sbâr' }))).toBe(200)
    expect(statusOf(await edit(id, { intent: 'delete-page', page: 'spare' }))).toBe(200)
    order = await names(id)
    expect(order).toHaveLength(10)
  })

  it('defines segment questions and URL-parameter segments with allowed values', async () => {
    const { id, slug } = await newSurvey()
    const seg = new URLSearchParams({
      intent: 'segments',
      'segment.channel': 'on',
      'segmentLabel.channel': 'How they contacted us',
    })
    expect(statusOf(await edit(id, seg))).toBe(200)
    expect((await draftOf(id)).metadata.segments).toEqual([
      { question: 'channel', label: 'How they contacted us' },
    ])

    expect(
      statusOf(
        await edit(id, {
          intent: 'add-url-segment',
          param: 'site',
          label: 'Office',
          values: 'town_hall | Town hall\nlibrary',
        }),
      ),
    ).toBe(200)
    expect((await draftOf(id)).metadata.urlSegments).toEqual([
      {
        param: 'site',
        label: 'Office',
        values: [
          { value: 'town_hall', label: 'Town hall' },
          { value: 'library', label: 'library' },
        ],
      },
    ])
    const clash = await edit(id, { intent: 'add-url-segment', param: 'channel', label: 'x', values: 'a' })
    expect(messages(clash)).toMatch(/already a question name/)
    const badValue = await edit(id, {
      intent: 'add-url-segment',
      param: 'area',
      label: 'Area',
      values: 'North East',
    })
    expect(messages(badValue)).toMatch(/lower-case letters/)
    void slug
  })

  it('validates settings: retention period and dates', async () => {
    const { id } = await newSurvey()
    const bad = await edit(id, {
      intent: 'settings',
      title: 'T',
      wave: '2026',
      retentionDays: '5',
      opensAt: '2026-05-01',
      closesAt: '2026-04-01',
    })
    expect(statusOf(bad)).toBe(400)
    expect(messages(bad)).toMatch(/at least 30 days/)
    expect(messages(bad)).toMatch(/closing date must be after the opening date/)
    expect(
      statusOf(
        await edit(id, {
          intent: 'settings',
          title: 'T',
          wave: '2026',
          retentionDays: '365',
          opensAt: '2026-05-01',
          closesAt: '2026-06-30',
        }),
      ),
    ).toBe(200)
    const survey = (await getSurveyForOrganisation(test.db, tenant.organisationId, id))!
    // A retention period posted with the builder's settings is ignored: it changes only on its own page, by an
    // admin, after a preview of what it would delete (issue 12; tests/integration/retention-jobs.test.ts).
    expect(survey.retentionDays).toBe(730)
    expect(survey.opensAt?.toISOString()).toBe('2026-05-01T00:00:00.000Z')
    // Open through the whole closing day.
    expect(survey.closesAt?.toISOString()).toBe('2026-07-01T00:00:00.000Z')
  })

  it('gives another organisation’s surveys a 404', async () => {
    const result = await edit(other.surveyId, { intent: 'add-page', titleEn: 'x' })
    expect(statusOf(result)).toBe(404)
  })
})

describe('next wave', () => {
  it('duplicates into the same series with the same question names, and warns when wording changes', async () => {
    const { id } = await newSurvey()
    expect(
      statusOf(await call((r) => handleSurveyAction(r, id), `/app/surveys/${id}`, { intent: 'publish' })),
    ).toBe(200)
    const slug = `next-${randomUUID().slice(0, 8)}`
    const same = await call((r) => handleSurveyAction(r, id), `/app/surveys/${id}`, {
      intent: 'duplicate',
      title: 'Next',
      slug,
      wave: '2026',
    })
    expect(messages(same)).toMatch(/label other than "2026"/)
    const copy = await call((r) => handleSurveyAction(r, id), `/app/surveys/${id}`, {
      intent: 'duplicate',
      title: 'Next',
      slug,
      wave: '2027',
    })
    expect(statusOf(copy)).toBe(302)
    const nextId = (copy as Response).headers.get('Location')!.split('/')[3]!
    const source = (await getSurveyForOrganisation(test.db, tenant.organisationId, id))!
    const next = (await getSurveyForOrganisation(test.db, tenant.organisationId, nextId))!
    expect(next.seriesId).toBe(source.seriesId)
    expect(next.status).toBe('draft')
    expect(next.wave).toBe('2027')
    expect(await names(nextId)).toEqual(await names(id))
    expect(
      (await listSeriesSurveys(test.db, tenant.organisationId, source.seriesId)).map((s) => s.id),
    ).toEqual([id, nextId])

    await edit(nextId, {
      intent: 'edit-question',
      name: 'timeliness',
      titleEn: 'How satisfied were you with how quickly we acted?',
      titleCy: 'Pa mor fodlon oeddech chi?',
    })
    const overview = await loadSurveyOverview(
      new Request(`http://localhost/app/surveys/${nextId}`, { headers: { Cookie: cookie } }),
      nextId,
    )
    expect(overview.waves?.previous.id).toBe(id)
    expect(overview.waves?.changes.map((c) => c.question)).toEqual(['timeliness'])
    expect(overview.waves?.changes[0]!.kinds).toEqual(['title'])
  })

  it('compareWaveWording reports title, label, answer, added and removed changes, ignoring whitespace', () => {
    const a = requireTemplate('core-satisfaction').definition
    const b = structuredClone(a)
    const q = (d: typeof a, n: string) => listQuestions(d).find((x) => x.name === n)!.element
    q(b, 'overall').title = {
      default: 'Overall,  how satisfied are you with the service you got from us? ',
      cy: (q(a, 'overall').title as unknown as { cy: string }).cy,
    }
    ;(q(b, 'delivery').choices![0] as { text: { default: string } }).text.default = 'Extremely satisfied'
    q(b, 'channel').choices!.push({ value: 'app', text: 'By app' })
    const cyChanged = q(b, 'access').title as { default: string; cy: string }
    cyChanged.cy = 'Newid'
    b.pages[2]!.elements = []
    b.pages[0]!.elements!.push({ type: 'comment', name: 'new_q', title: 'New' })
    const changes = compareWaveWording(a, b)
    const byName = Object.fromEntries(changes.map((c) => [c.question, c.kinds]))
    expect(byName).toEqual({
      delivery: ['answer_labels'],
      channel: ['answers'],
      access: ['title'],
      new_q: ['added'],
      improve: ['removed'],
    })
    expect(compareWaveWording(a, structuredClone(a))).toEqual([])
  })
})

describe('JSON export and import', () => {
  it('round-trips a survey and refuses broken imports with clear messages', async () => {
    const { id } = await newSurvey('core-satisfaction', true)
    await edit(id, {
      intent: 'add-question',
      page: 'how_we_did',
      type: 'rating',
      name: 'parks',
      titleEn: 'Parks?',
      titleCy: 'Parciau?',
      driver: 'parks',
    })
    const response = await downloadSurveyJson(
      new Request(`http://localhost/app/surveys/${id}/export-json`, { headers: { Cookie: cookie } }),
      id,
    )
    expect(response.headers.get('Content-Disposition')).toMatch(/attachment; filename=".*-draft\.json"/)
    const exported = await response.json()
    expect(exported.format).toBe('cse-insight-survey')

    const form = new FormData()
    form.set('json', JSON.stringify(exported))
    form.set('slug', `imp-${randomUUID().slice(0, 8)}`)
    form.set('wave', '2027')
    form.set('title', '')
    const imported = await call(handleImport, '/app/surveys/import-json', form)
    expect(statusOf(imported)).toBe(302)
    const newId = (imported as Response).headers.get('Location')!.split('/')[3]!
    const draft = await draftOf(newId)
    expect(draft.metadata.ratings.parks?.driver).toBe('parks')
    expect(await names(newId)).toEqual(await names(id))

    const broken = structuredClone(exported)
    broken.metadata.ratings = { ...broken.metadata.ratings }
    delete broken.metadata.ratings.delivery
    broken.definition.pages[0].elements.push({ type: 'radiogroup', name: 'service', choices: ['a', 'b'] })
    broken.definition.pages.push({ name: 'blank', elements: [] })
    broken.metadata.ratings.service = { driver: 'delivery', coding: broken.metadata.ratings.overall.coding }
    const refused = new FormData()
    refused.set('json', JSON.stringify(broken))
    refused.set('slug', `imp-${randomUUID().slice(0, 8)}`)
    refused.set('wave', '2027')
    const result = await call(handleImport, '/app/surveys/import-json', refused)
    expect(statusOf(result)).toBe(422)
    const text = messages(result)
    expect(text).toMatch(/Two or more questions are called "service"/)
    expect(text).toMatch(/"delivery" looks like a rating, but it has no driver or scale coding/)

    const notJson = new FormData()
    notJson.set('json', '{ nope')
    notJson.set('slug', 'whatever-slug')
    notJson.set('wave', '2027')
    expect(messages(await call(handleImport, '/app/surveys/import-json', notJson))).toMatch(/not valid JSON/)
    const bare = new FormData()
    bare.set('json', JSON.stringify(exported.definition))
    bare.set('slug', 'whatever-slug')
    bare.set('wave', '2027')
    // A plain SurveyJS definition is a draft to map (tests/integration/surveyjs-import.test.ts).
    const bareImport = await call(handleImport, '/app/surveys/import-json', bare)
    expect((bareImport as Response).headers.get('Location')).toMatch(/\/mapping$/)
  })

  it('the pure helpers agree: a fresh draft from each template has no problems', () => {
    const draft = draftFromTemplate({ templateId: 'core-satisfaction', includeEquality: true, title: 'x' })
    expect(listQuestions(draft.definition).length).toBeGreaterThan(15)
  })
})
