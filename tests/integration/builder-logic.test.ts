import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getSurveyForOrganisation, getVersion, updateDraft } from '#db/queries/surveys.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { createNewSurvey } from '#app/routes/app.surveys.new.server.ts'
import { handleSurveyAction, loadSurveyOverview } from '#app/routes/app.surveys.$surveyId.server.ts'
import { handleBuilderAction, loadBuilder } from '#app/routes/app.surveys.$surveyId.edit.server.ts'
import { exportSurvey, parseImport } from '#app/services/builder.server.ts'
import { readDraft } from '#app/services/builder-draft.server.ts'
import { describeSurvey, visibleQuestionNames } from '#app/services/survey-definition.server.ts'
import { listQuestions, type ElementJSON, type SurveyJSON } from '#templates/index.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'

/**
 * Issue 13, items 2 and 3 in the builder: show-when conditions and required questions saved as standard SurveyJS
 * JSON (and refused when they cannot work), and Welsh for every text, with what still lacks it said in plain
 * English, linked to the field that fixes it, and blocking publication.
 */
let test: TestDatabase
let tenant: Tenant
let cookie: string

type Reply = {
  data: {
    problems: Array<{ code?: string; message: string; href?: string }>
    errors: Record<string, string>
    notice?: string
  }
  init: ResponseInit | null
}

async function post(
  handler: (r: Request) => Promise<unknown>,
  path: string,
  fields: Record<string, string> | URLSearchParams,
) {
  const body = fields instanceof URLSearchParams ? fields : new URLSearchParams(fields)
  const request = new Request(`http://localhost${path}`, {
    method: 'POST',
    headers: { Cookie: cookie },
    body,
  })
  return (await handler(request).catch((thrown: unknown) => thrown)) as Reply
}
const statusOf = (r: unknown) => (r instanceof Response ? r.status : ((r as Reply).init?.status ?? 200))
const messages = (r: Reply) =>
  [...(r.data.problems ?? []).map((p) => p.message), ...Object.values(r.data.errors ?? {})].join('\n')

async function newSurvey(templateId = 'core-satisfaction', includeEquality = false) {
  const slug = `l-${randomUUID().slice(0, 8)}`
  const created = await post(createNewSurvey, '/app/surveys/new', {
    templateId,
    title: `Logic ${slug}`,
    slug,
    wave: '2026',
    ...(includeEquality ? { includeEquality: 'on' } : {}),
  })
  expect(statusOf(created)).toBe(302)
  return (created as unknown as Response).headers.get('Location')!.split('/')[3]!
}
const edit = (id: string, fields: Record<string, string> | URLSearchParams) =>
  post((r) => handleBuilderAction(r, id), `/app/surveys/${id}/edit`, fields)
const view = (id: string, query = '') =>
  loadBuilder(
    new Request(`http://localhost/app/surveys/${id}/edit${query}`, { headers: { Cookie: cookie } }),
    id,
  )
const publish = (id: string) =>
  post((r) => handleSurveyAction(r, id), `/app/surveys/${id}`, { intent: 'publish' })
async function draftOf(id: string) {
  const survey = (await getSurveyForOrganisation(test.db, tenant.organisationId, id))!
  return readDraft(survey.draftDefinition, survey.draftMetadata)
}
const element = (definition: SurveyJSON, name: string): ElementJSON =>
  listQuestions(definition).find((q) => q.name === name)!.element
/** The survey texts, complete in both languages but for the Welsh privacy notice given. */
const saveTexts = (id: string, privacyCy: string) =>
  edit(id, {
    intent: 'texts',
    titleEn: 'Tell us what you think',
    titleCy: 'Dywedwch wrthym beth yw eich barn',
    introductionEn: 'It takes two minutes.',
    introductionCy: 'Mae’n cymryd dau funud.',
    privacyEn: 'Borsetshire Council holds your answers for two years.',
    privacyCy,
    completionEn: '<p>Thank you.</p>',
    completionCy: '<p>Diolch.</p>',
  })
/** The last page's title and introduction, with the Welsh introduction given. */
const saveLastPageTexts = (id: string, descriptionCy: string) =>
  edit(id, {
    intent: 'edit-page',
    page: 'your_ideas',
    titleEn: 'Your ideas',
    titleCy: 'Eich syniadau',
    descriptionEn: 'Tell us in your own words.',
    descriptionCy,
  })
const condition = (fields: Record<string, string>, values: string[] = []) => {
  const form = new URLSearchParams({ intent: 'set-condition', ...fields })
  for (const v of values) form.append('value', v)
  return form
}

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  tenant = await createTenant(test.db, 'Logic')
  cookie = (await startSession(tenant.users.analyst.id, tenant.organisationId)).split(';')[0]!
})
afterAll(async () => {
  await test?.close()
})

describe('conditions and required questions', () => {
  it('saves them as SurveyJS visibleIf and isRequired, which survey-core evaluates', async () => {
    const id = await newSurvey()
    // A question: the free-text "improve" only when overall satisfaction is at most 2
    const improve = await edit(
      id,
      condition({ name: 'improve', when: 'overall', operator: 'at_most' }, ['2']),
    )
    expect(statusOf(improve), messages(improve)).toBe(200)
    // A page: "how_we_did" only when the channel is one of phone and online
    const page = await edit(
      id,
      condition({ page: 'how_we_did', when: 'channel', operator: 'any_of' }, ['phone', 'online']),
    )
    expect(statusOf(page), messages(page)).toBe(200)
    // A question on the same page as its source, after it: "channel" only when "service" is answered
    expect(
      statusOf(await edit(id, condition({ name: 'channel', when: 'service', operator: 'answered' }))),
    ).toBe(200)
    expect(statusOf(await edit(id, { intent: 'set-required', name: 'overall', required: 'on' }))).toBe(200)

    const draft = await draftOf(id)
    expect(element(draft.definition, 'improve').visibleIf).toBe('{overall} <= 2')
    expect(draft.definition.pages.find((p) => p.name === 'how_we_did')!.visibleIf).toBe(
      "{channel} anyof ['phone', 'online']",
    )
    expect(element(draft.definition, 'channel').visibleIf).toBe('{service} notempty')
    expect(element(draft.definition, 'overall').isRequired).toBe(true)

    // survey-core, as the server uses it, evaluates what was written
    const described = describeSurvey(draft.definition)
    expect(described.questions.get('overall')!.required).toBe(true)
    const service = String(
      element(draft.definition, 'service').choices!.map((c) => (typeof c === 'object' ? c.value : c))[0],
    )
    const phoneAndHappy = visibleQuestionNames(described, { service, channel: 'phone', overall: 5 })
    expect(phoneAndHappy.has('overall')).toBe(true)
    expect(phoneAndHappy.has('improve')).toBe(false)
    const unhappy = visibleQuestionNames(described, { service, channel: 'online', overall: 1 })
    expect(unhappy.has('improve')).toBe(true)
    const letter = visibleQuestionNames(described, { service, channel: 'in_person' })
    expect(letter.has('overall')).toBe(false)
    expect(visibleQuestionNames(described, {}).has('channel')).toBe(false)

    // The builder shows each in plain English
    const shown = await view(id)
    const q = (name: string) => shown.draft.pages.flatMap((p) => p.questions).find((x) => x.name === name)!
    expect(q('improve').condition).toMatchObject({ kind: 'simple', operator: 'at_most', values: ['2'] })
    expect(q('improve').condition!.text).toMatch(
      /^“Overall, how satisfied .*” is at most “Fairly dissatisfied”$/,
    )
    expect(shown.draft.pages.find((p) => p.name === 'how_we_did')!.condition!.text).toMatch(
      /is one of “.*” or “.*”/,
    )
    expect(q('overall').required).toBe(true)

    // Optional again, and a condition removed: the JSON keys go
    expect(statusOf(await edit(id, { intent: 'set-required', name: 'overall', required: 'off' }))).toBe(200)
    expect(statusOf(await edit(id, { intent: 'remove-condition', name: 'improve' }))).toBe(200)
    const after = await draftOf(id)
    expect('isRequired' in element(after.definition, 'overall')).toBe(false)
    expect('visibleIf' in element(after.definition, 'improve')).toBe(false)
    // It publishes, and the published version holds the remaining logic
    const published = await publish(id)
    expect(statusOf(published), messages(published)).toBe(200)
    const survey = (await getSurveyForOrganisation(test.db, tenant.organisationId, id))!
    const version = (await getVersion(test.db, tenant.organisationId, survey.currentVersionId!))!
    expect(element(version.definition as SurveyJSON, 'channel').visibleIf).toBe('{service} notempty')
  })

  it('offers the earlier questions and the chosen question’s operators and answers', async () => {
    const id = await newSurvey()
    const logic = (await view(id, '?logic=question:improve&when=overall')).logic!
    expect(logic.sources.map((s) => s.name)).toEqual([
      'service',
      'channel',
      'overall',
      'delivery',
      'timeliness',
      'information',
      'access',
      'professionalism',
      'staff_attitude',
    ])
    expect(logic.chosen!.operators.map((o) => o.value)).toContain('at_least')
    expect(logic.chosen!.answers.map((a) => a.value)).toEqual(['5', '4', '3', '2', '1', 'dont_know'])
    const page = (await view(id, '?logic=page:how_we_did')).logic!
    expect(page.sources.map((s) => s.name)).toEqual(['service', 'channel'])
    expect(page.chosen).toBeNull()
    // A later question is not offered, even if asked for
    expect((await view(id, '?logic=question:service&when=overall')).logic!.chosen).toBeNull()
  })

  it('refuses conditions that cannot work, with clear messages, and keeps dependants safe', async () => {
    const id = await newSurvey('core-satisfaction', true)
    const cases: Array<[URLSearchParams, RegExp]> = [
      [
        condition({ name: 'channel', when: 'overall', operator: 'is' }, ['5']),
        /can only depend on a question that comes before it/,
      ],
      [
        condition({ page: 'how_we_did', when: 'overall', operator: 'is' }, ['5']),
        /question on an earlier page/,
      ],
      [condition({ name: 'improve', when: 'overall', operator: 'is' }, ['7']), /has no answer "7"/],
      [
        condition({ name: 'improve', when: 'overall', operator: 'is' }, ['5', '4']),
        /needs exactly one answer; you chose 2/,
      ],
      [
        condition({ name: 'improve', when: 'overall', operator: 'at_least' }, ['dont_know']),
        /not a point on the scale/,
      ],
      [condition({ name: 'improve', when: 'overall', operator: 'answered' }, ['5']), /needs no answer/],
      [
        condition({ name: 'improve', when: 'overall', operator: 'includes' }, ['5']),
        /choose one of: is, is not/,
      ],
      [
        condition({ name: 'improve', when: 'nope', operator: 'is' }, ['5']),
        /There is no question called "nope"/,
      ],
      [
        condition({ name: 'improve', when: 'overall', operator: 'sounds_like' }, ['5']),
        /Choose how the answer is compared/,
      ],
      [
        condition({ name: 'improve', page: 'how_we_did', when: 'overall', operator: 'is' }, ['5']),
        /which question or page/,
      ],
    ]
    for (const [form, message] of cases) {
      const reply = await edit(id, form)
      expect(statusOf(reply), String(message)).toBeGreaterThanOrEqual(400)
      expect(statusOf(reply)).toBeLessThan(500)
      expect(messages(reply)).toMatch(message)
    }
    const required = await edit(id, { intent: 'set-required', name: 'ethnic_group', required: 'on' })
    expect(statusOf(required)).toBe(422)
    expect(messages(required)).toMatch(/Equality questions must stay optional/)
    expect(JSON.stringify((await draftOf(id)).definition)).not.toMatch(/"isRequired":true/)

    // Once "improve" depends on "overall", "overall" cannot be deleted or moved after it
    expect(
      statusOf(
        await edit(id, condition({ name: 'timeliness', when: 'overall', operator: 'is_not' }, ['dont_know'])),
      ),
    ).toBe(200)
    expect(element((await draftOf(id)).definition, 'timeliness').visibleIf).toBe("{overall} != 'dont_know'")
    const deleted = await edit(id, { intent: 'delete-question', name: 'overall' })
    expect(statusOf(deleted)).toBe(422)
    expect(messages(deleted)).toMatch(/“overall”, which is not a question in this survey/)
    expect(statusOf(await edit(id, { intent: 'move-question', name: 'overall', direction: 'down' }))).toBe(
      200,
    )
    const moved = await edit(id, { intent: 'move-question', name: 'overall', direction: 'down' })
    expect(statusOf(moved)).toBe(422)
    expect(messages(moved)).toMatch(/which must come before it/)
  })

  it('keeps an imported expression exactly, shows it as text, and lets the analyst remove it', async () => {
    const id = await newSurvey()
    const draft = await draftOf(id)
    const complex = "{overall} <= 2 and ({channel} = 'phone' or {service} empty)"
    element(draft.definition, 'improve').visibleIf = complex
    element(draft.definition, 'improve').isRequired = true
    await updateDraft(test.db, tenant.organisationId, id, draft)

    const shown = (await view(id)).draft.pages.flatMap((p) => p.questions).find((q) => q.name === 'improve')!
    expect(shown.condition).toEqual({ kind: 'expression', expression: complex, text: complex })
    expect(shown.required).toBe(true)
    // Other edits leave it alone; export and import keep it
    expect(
      statusOf(
        await edit(id, { intent: 'edit-question', name: 'improve', titleEn: 'What could we do better?' }),
      ),
    ).toBe(200)
    expect(element((await draftOf(id)).definition, 'improve').visibleIf).toBe(complex)
    const exported = await exportSurvey(test.db, tenant.organisationId, id, 'draft')
    const imported = parseImport(JSON.stringify(exported))
    expect(imported.ok).toBe(true)
    if (imported.ok) {
      expect(element(imported.value.draft.definition, 'improve')).toMatchObject({
        visibleIf: complex,
        isRequired: true,
      })
    }
    expect(statusOf(await edit(id, { intent: 'remove-condition', name: 'improve' }))).toBe(200)
    expect('visibleIf' in element((await draftOf(id)).definition, 'improve')).toBe(false)
  })
})

describe('Welsh for every text', () => {
  it('lists what lacks Welsh in plain English, linked to the field, and blocks publishing with that list', async () => {
    const id = await newSurvey()
    // English only, then Welsh again: every text now lacks its Welsh
    expect(statusOf(await edit(id, { intent: 'languages', welsh: 'off' }))).toBe(200)
    expect(JSON.stringify((await draftOf(id)).definition)).not.toMatch(/"cy"/)
    expect((await view(id)).problems).toEqual([])
    expect(statusOf(await edit(id, { intent: 'languages', welsh: 'on' }))).toBe(200)
    expect((await draftOf(id)).metadata.locales).toEqual(['en', 'cy'])

    const problems = (await view(id)).problems
    const text = problems.map((p) => p.message).join('\n')
    expect(text).not.toMatch(/pages\[|elements\[|"cy"/)
    expect(text).toContain('Survey texts: the Welsh title and introduction are missing')
    expect(text).toContain('Page 1 (“Your contact with us”): the Welsh title is missing')
    const timeliness = problems.find((p) => p.question === 'timeliness')!
    expect(timeliness.message).toMatch(
      /^Page 2, question “How satisfied are you with .*”: the Welsh title and labels of 6 answers are missing$/,
    )
    expect((timeliness as { href?: string }).href).toBe(
      `/app/surveys/${id}/edit?edit=timeliness#timeliness-title-cy`,
    )
    const improve = problems.find((p) => p.question === 'improve')!
    expect(improve.message).toMatch(/: the Welsh title and help text are missing$/)

    // Publishing is refused with the same list, never with JSON paths
    const refused = await publish(id)
    expect(statusOf(refused)).toBe(422)
    expect(messages(refused)).not.toMatch(/pages\[|has no "cy" translation/)
    expect(messages(refused)).toContain(timeliness.message)
    expect(
      (
        await loadSurveyOverview(
          new Request(`http://localhost/app/surveys/${id}`, { headers: { Cookie: cookie } }),
          id,
        )
      ).problems.map((p) => p.message),
    ).toEqual(problems.map((p) => p.message))

    // Giving "timeliness" its Welsh title and one answer label narrows its line; the answer named is the one left
    const draft = await draftOf(id)
    const choices = element(draft.definition, 'timeliness').choices!
    const fields: Record<string, string> = {
      intent: 'edit-question',
      name: 'timeliness',
      titleEn: 'How satisfied are you with how long it took?',
      titleCy: 'Pa mor fodlon ydych chi â faint o amser a gymerodd?',
    }
    choices.forEach((c, i) => {
      fields[`choice.${i}.en`] = typeof c === 'object' && typeof c.text === 'string' ? c.text : String(c)
      if (i > 0) fields[`choice.${i}.cy`] = `Ateb ${i}`
    })
    expect(statusOf(await edit(id, fields))).toBe(200)
    const narrowed = (await view(id)).problems.find((p) => p.question === 'timeliness')!
    expect(narrowed.message).toBe(
      'Page 2, question “How satisfied are you with how long it took?”: the Welsh label of the answer “Very satisfied” is missing',
    )
    expect((narrowed as { href?: string }).href).toBe(
      `/app/surveys/${id}/edit?edit=timeliness#timeliness-choice-0-cy`,
    )
  })

  it('saves Welsh for any text: survey texts, privacy notice, page introductions and imported labels', async () => {
    const id = await newSurvey()
    // An imported "Other" label and a check's error message, which have no field of their own
    const draft = await draftOf(id)
    Object.assign(element(draft.definition, 'channel'), {
      showOtherItem: true,
      otherText: 'Something else',
      validators: [
        { type: 'expression', expression: '{channel} notempty', text: 'Tell us how you contacted us' },
      ],
    })
    await updateDraft(test.db, tenant.organisationId, id, draft)
    const gaps = (await view(id)).problems.filter((p) => p.code === 'missing_translation')
    expect(gaps.map((p) => p.message)).toEqual([
      'Page 1, question “How did you contact us?”: the Welsh “Other” answer label and error message of check 1 are missing',
    ])
    const channel = (await view(id, '?edit=channel')).draft.pages[0]!.questions.find(
      (q) => q.name === 'channel',
    )!
    expect(channel.otherTexts.map((t) => t.path)).toEqual(['otherText', 'validators[0].text'])

    const wording: Record<string, string> = {
      intent: 'edit-question',
      name: 'channel',
      titleEn: channel.title.en,
      titleCy: channel.title.cy,
      'text:otherText:en': 'Something else',
      'text:otherText:cy': 'Rhywbeth arall',
      'text:validators[0].text:en': 'Tell us how you contacted us',
      'text:validators[0].text:cy': 'Dywedwch wrthym sut y gwnaethoch gysylltu â ni',
      'text:no.such.path:cy': 'ignored',
    }
    expect(statusOf(await edit(id, wording))).toBe(200)

    expect(statusOf(await saveTexts(id, ''))).toBe(200)
    const privacyGap = (await view(id)).problems.map((p) => p.message)
    expect(privacyGap).toEqual(['Survey texts: the Welsh privacy notice is missing'])
    expect((await view(id)).problems[0]).toMatchObject({ href: `/app/surveys/${id}/edit#privacy-cy` })
    expect(statusOf(await publish(id))).toBe(422)

    expect(
      statusOf(await saveTexts(id, 'Mae Cyngor Borsetshire yn cadw eich atebion am ddwy flynedd.')),
    ).toBe(200)
    expect(statusOf(await saveLastPageTexts(id, ''))).toBe(200)
    expect((await view(id)).problems.map((p) => p.message)).toEqual([
      'Page 3 (“Your ideas”): the Welsh introduction is missing',
    ])
    expect(statusOf(await saveLastPageTexts(id, 'Dywedwch wrthym yn eich geiriau eich hun.'))).toBe(200)
    expect((await view(id)).problems).toEqual([])
    expect(statusOf(await publish(id))).toBe(200)

    const survey = (await getSurveyForOrganisation(test.db, tenant.organisationId, id))!
    const version = (await getVersion(test.db, tenant.organisationId, survey.currentVersionId!))!
    const published = version.definition as SurveyJSON
    expect(published.privacyNotice).toEqual({
      default: 'Borsetshire Council holds your answers for two years.',
      cy: 'Mae Cyngor Borsetshire yn cadw eich atebion am ddwy flynedd.',
    })
    expect(element(published, 'channel')).toMatchObject({
      otherText: { default: 'Something else', cy: 'Rhywbeth arall' },
      validators: [
        {
          text: {
            default: 'Tell us how you contacted us',
            cy: 'Dywedwch wrthym sut y gwnaethoch gysylltu â ni',
          },
        },
      ],
    })
    expect(published.pages.find((p) => p.name === 'your_ideas')!.description).toEqual({
      default: 'Tell us in your own words.',
      cy: 'Dywedwch wrthym yn eich geiriau eich hun.',
    })
  })
})
