import { Model } from 'survey-core'
import { describe, expect, it } from 'vitest'
import {
  answerValues,
  checkTemplate,
  composeSurvey,
  DEMO_TEMPLATE_IDS,
  demoSurvey,
  DONT_KNOW,
  EQUALITY_BLOCK_ID,
  ETHNIC_GROUP_CATEGORIES,
  ETHNIC_GROUP_HEADINGS,
  ethnicGroupHeading,
  getTemplate,
  listQuestions,
  listTemplates,
  listTexts,
  localized,
  PREFER_NOT_TO_SAY,
  requireTemplate,
  SATISFACTION_5,
  STANDARD_DRIVERS,
  SUPPORTED_QUESTION_TYPES,
  TEMPLATE_IDS,
  templateMetadataSchema,
  type ChoiceJSON,
  type ElementJSON,
  type LocalizableString,
} from '../../survey-templates/index.ts'

const choicesOf = (el: ElementJSON): ChoiceJSON[] => (el.choices ?? []) as ChoiceJSON[]
const question = (id: string, name: string): ElementJSON => {
  const q = listQuestions(requireTemplate(id).definition).find((x) => x.name === name)
  if (!q) throw new Error(`${id} has no question ${name}`)
  return q.element
}

describe('template registry', () => {
  it('lists the six templates in order, each retrievable', () => {
    expect(listTemplates().map((m) => m.id)).toEqual([...TEMPLATE_IDS])
    expect(TEMPLATE_IDS).toHaveLength(6)
    for (const id of TEMPLATE_IDS) expect(getTemplate(id)?.metadata.id).toBe(id)
    expect(getTemplate('no-such-template')).toBeUndefined()
    expect(() => requireTemplate('no-such-template')).toThrow(/Unknown survey template/)
  })

  it('hands out copies, so editing one does not change the registry', () => {
    const a = requireTemplate('core-satisfaction')
    a.definition.pages.pop()
    a.metadata.ratings = {}
    const b = requireTemplate('core-satisfaction')
    expect(b.definition.pages).toHaveLength(3)
    expect(Object.keys(b.metadata.ratings)).toHaveLength(7)
  })
})

describe.each(TEMPLATE_IDS)('template %s', (id) => {
  const { definition, metadata } = requireTemplate(id)

  it('has metadata that passes the zod schema', () => {
    expect(templateMetadataSchema.safeParse(metadata).success).toBe(true)
    expect(metadata.description.length).toBeGreaterThan(20)
    expect(metadata.cseElements.length).toBeGreaterThan(0)
  })

  it('passes checkTemplate with no problems', () => {
    expect(checkTemplate(definition, metadata)).toEqual([])
  })

  it('has a title and a privacy-friendly description for respondents', () => {
    expect(localized(definition.title)).not.toBe('')
    expect(localized(definition.description)).toMatch(/name|optional/i)
  })

  it('uses only the question types the no-JavaScript form supports, and no required questions', () => {
    const questions = listQuestions(definition)
    expect(questions.length).toBeGreaterThan(0)
    for (const q of questions) {
      expect(SUPPORTED_QUESTION_TYPES as readonly string[]).toContain(q.type)
      expect(q.element.isRequired ?? false).toBe(false)
    }
  })

  it('gives every rating question a coding and a "Don\'t know / not applicable" answer', () => {
    const questions = listQuestions(definition)
    for (const [name, rating] of Object.entries(metadata.ratings)) {
      const q = questions.find((x) => x.name === name)
      expect(q, name).toBeDefined()
      expect(q!.type).toBe('radiogroup')
      expect(rating.coding.satisfied.length).toBeGreaterThan(0)
      expect(rating.coding.dissatisfied.length).toBeGreaterThan(0)
      const values = answerValues(q!.element)
      expect(values).toEqual([5, 4, 3, 2, 1, DONT_KNOW])
      const dk = choicesOf(q!.element).find((c) => c.value === DONT_KNOW)
      expect(localized(dk?.text)).toBe("Don't know / not applicable")
    }
    // And no scale-like question is left without metadata.
    for (const q of questions) {
      const values = answerValues(q.element)
      if (values.filter((v) => typeof v === 'number').length >= 2)
        expect(metadata.ratings[q.name], q.name).toBeDefined()
    }
  })

  it('uses the standard satisfaction wording and order wherever the coding is SATISFACTION_5', () => {
    for (const [name, rating] of Object.entries(metadata.ratings)) {
      if (!localized(question(id, name).title).includes('satisfied')) continue
      expect(rating.coding).toEqual(SATISFACTION_5)
      expect(choicesOf(question(id, name)).map((c) => localized(c.text))).toEqual([
        'Very satisfied',
        'Fairly satisfied',
        'Neither satisfied nor dissatisfied',
        'Fairly dissatisfied',
        'Very dissatisfied',
        "Don't know / not applicable",
      ])
    }
  })

  it('loads in survey-core with no JSON errors and the same questions', () => {
    const model = new Model(definition)
    expect(model.jsonErrors ?? []).toEqual([])
    expect(model.getAllQuestions().map((q) => q.name)).toEqual(listQuestions(definition).map((q) => q.name))
    expect(model.pages.length).toBe(definition.pages.length)
  })

  it('has segment questions that are single-choice questions', () => {
    for (const s of metadata.segments)
      expect(['radiogroup', 'dropdown']).toContain(question(id, s.question).type)
  })
})

describe('core-satisfaction', () => {
  const { definition, metadata } = requireTemplate('core-satisfaction')

  it('covers all the key areas of CSE 1.3.3: overall and the six drivers, each a rating of the same name', () => {
    for (const driver of STANDARD_DRIVERS) {
      expect(metadata.ratings[driver]).toEqual({ driver, coding: SATISFACTION_5 })
      expect(question('core-satisfaction', driver).type).toBe('radiogroup')
    }
    expect(metadata.cseElements).toContain('1.3.3')
  })

  it('asks what to improve, the channel and the service', () => {
    expect(question('core-satisfaction', 'improve').type).toBe('comment')
    expect(metadata.comments.map((c) => c.question)).toContain('improve')
    expect(answerValues(question('core-satisfaction', 'channel'))).toEqual([
      'phone',
      'online',
      'in_person',
      'letter',
      'other',
    ])
    expect(answerValues(question('core-satisfaction', 'service'))).toEqual(
      expect.arrayContaining(['waste_recycling', 'council_tax', 'parking', 'libraries', 'other']),
    )
    expect(metadata.segments.map((s) => s.question)).toEqual(['service', 'channel'])
  })

  it('is short: three pages, experience then ratings then ideas', () => {
    expect(definition.pages.map((p) => p.name)).toEqual(['your_contact', 'how_we_did', 'your_ideas'])
    expect(listQuestions(definition)).toHaveLength(10)
  })
})

describe('equality-monitoring block', () => {
  const { definition, metadata } = requireTemplate('equality-monitoring')
  const questions = listQuestions(definition)

  it('offers "Prefer not to say" on every choice question, and no question is required', () => {
    for (const q of questions) {
      expect(q.element.isRequired ?? false).toBe(false)
      if (q.type === 'text') continue // the optional write-in for gender identity
      const prefer = choicesOf(q.element).find((c) => c.value === PREFER_NOT_TO_SAY)
      expect(prefer, q.name).toBeDefined()
      expect(localized(prefer?.text)).toBe('Prefer not to say')
      expect(localized(prefer?.text, 'cy')).toBe("Mae'n well gen i beidio â dweud")
    }
  })

  it('lists every question as equality data, with age, sex and long-term condition as segments', () => {
    expect([...metadata.equalityQuestions].sort()).toEqual(questions.map((q) => q.name).sort())
    expect(metadata.segments.map((s) => s.question)).toEqual(['age_band', 'sex', 'long_term_condition'])
    expect(metadata.ratings).toEqual({})
  })

  it('says why it asks, and that it is optional', () => {
    const page = definition.pages[0]!
    expect(localized(page.description)).toMatch(/optional/)
    expect(localized(page.description)).toMatch(/everyone/)
  })

  it('follows the GSS harmonised categories', () => {
    expect(answerValues(question('equality-monitoring', 'age_band'))).toEqual([
      '16-24',
      '25-34',
      '35-44',
      '45-54',
      '55-64',
      '65-74',
      '75_plus',
      PREFER_NOT_TO_SAY,
    ])
    expect(answerValues(question('equality-monitoring', 'sex'))).toEqual([
      'female',
      'male',
      PREFER_NOT_TO_SAY,
    ])
    expect(answerValues(question('equality-monitoring', 'gender_identity'))).toEqual([
      'yes',
      'no',
      PREFER_NOT_TO_SAY,
    ])
    expect(question('equality-monitoring', 'gender_identity_text').visibleIf).toBe("{gender_identity} = 'no'")
    expect(answerValues(question('equality-monitoring', 'long_term_condition'))).toEqual([
      'yes',
      'no',
      PREFER_NOT_TO_SAY,
    ])
    expect(answerValues(question('equality-monitoring', 'reduced_activity'))).toEqual([
      'yes_a_lot',
      'yes_a_little',
      'not_at_all',
      PREFER_NOT_TO_SAY,
    ])
    expect(question('equality-monitoring', 'reduced_activity').visibleIf).toBe(
      "{long_term_condition} = 'yes'",
    )
    expect(answerValues(question('equality-monitoring', 'religion'))).toHaveLength(9)
    expect(answerValues(question('equality-monitoring', 'sexual_orientation'))).toHaveLength(5)
  })

  it('has the 19 ethnic groups of England and Wales under 5 headings, including Roma, as plain radios', () => {
    const el = question('equality-monitoring', 'ethnic_group')
    expect(el.type).toBe('radiogroup')
    const values = answerValues(el)
    expect(values).toHaveLength(20)
    expect(values.at(-1)).toBe(PREFER_NOT_TO_SAY)
    const categories = values.slice(0, 19) as string[]
    expect(categories).toEqual(Object.keys(ETHNIC_GROUP_CATEGORIES))
    expect(categories).toContain('white_roma')
    for (const v of categories) expect(v).toMatch(/^[a-z][a-z_]*$/)
    expect(new Set(categories.map(ethnicGroupHeading))).toEqual(new Set(Object.keys(ETHNIC_GROUP_HEADINGS)))
    expect(ethnicGroupHeading(PREFER_NOT_TO_SAY)).toBeUndefined()
    // Each label starts with its heading, so the single list reads well without JavaScript.
    for (const c of choicesOf(el).slice(0, 19)) {
      const heading = ETHNIC_GROUP_HEADINGS[ETHNIC_GROUP_CATEGORIES[c.value as string]!]
      expect(localized(c.text).startsWith(`${heading}: `)).toBe(true)
    }
  })

  it('shows the follow-up questions only after the answer that needs them', () => {
    const model = new Model(definition)
    expect(model.getQuestionByName('reduced_activity').isVisible).toBe(false)
    model.setValue('long_term_condition', 'yes')
    expect(model.getQuestionByName('reduced_activity').isVisible).toBe(true)
    expect(model.getQuestionByName('gender_identity_text').isVisible).toBe(false)
    model.setValue('gender_identity', 'no')
    expect(model.getQuestionByName('gender_identity_text').isVisible).toBe(true)
  })
})

const SAME_IN_WELSH = new Set(['Sikh'])

// Every template is bilingual (issue 13, item 3): each respondent-visible text has non-empty Welsh.
describe.each(TEMPLATE_IDS)('Welsh in %s', (id) => {
  const { definition, metadata } = requireTemplate(id)

  it('declares English and Welsh', () => {
    expect(metadata.locales).toEqual(['en', 'cy'])
  })

  it('has non-empty Welsh for every title, description and choice text', () => {
    const texts = listTexts(definition)
    expect(texts.length).toBeGreaterThan(20)
    for (const t of texts) {
      expect(typeof t.value === 'object' && t.value !== null, t.path).toBe(true)
      const v = t.value as Record<string, unknown>
      expect(typeof v.default === 'string' && v.default.trim() !== '', t.path).toBe(true)
      expect(typeof v.cy === 'string' && v.cy.trim() !== '', t.path).toBe(true)
      // A Welsh text copied from the English one is a missing translation in disguise (names of faiths excepted).
      if (!SAME_IN_WELSH.has(v.default as string)) expect(v.cy, t.path).not.toBe(v.default)
    }
  })

  it('passes checkTemplate, which reports any text without Welsh for a declared locale', () => {
    expect(checkTemplate(definition, metadata)).toEqual([])
  })

  it('uses the standard Welsh satisfaction scale on every satisfaction rating', () => {
    const welshScale = new Map<string | number, string>([
      [5, 'Bodlon iawn'],
      [4, 'Eithaf bodlon'],
      [3, 'Ddim yn fodlon nac yn anfodlon'],
      [2, 'Eithaf anfodlon'],
      [1, 'Anfodlon iawn'],
      ['dont_know', 'Ddim yn gwybod / amherthnasol'],
    ])
    for (const q of listQuestions(definition)) {
      const choices = (q.element.choices ?? []) as Array<{ value: string | number; text?: unknown }>
      if (localized(choices[0]?.text as LocalizableString | undefined) !== 'Very satisfied') continue
      for (const c of choices)
        expect(localized(c.text as LocalizableString, 'cy'), `${q.name} ${c.value}`).toBe(
          welshScale.get(c.value),
        )
    }
  })

  it('shows Welsh titles and answers in survey-core when the locale is cy', () => {
    const model = new Model(definition)
    const english = model.getAllQuestions().map((q) => q.title)
    model.locale = 'cy'
    const welsh = model.getAllQuestions().map((q) => q.title)
    welsh.forEach((title, i) => {
      expect(title).not.toBe('')
      expect(title).not.toBe(english[i])
    })
    expect(model.title).toBe(localized(definition.title, 'cy'))
    if (id === 'core-satisfaction') {
      expect(model.getQuestionByName('overall').title).toBe(
        'At ei gilydd, pa mor fodlon ydych chi ar y gwasanaeth a gawsoch chi gennym ni?',
      )
      const choices = (model.getQuestionByName('overall') as unknown as { choices: Array<{ text: string }> })
        .choices
      expect(choices.map((c) => c.text)).toEqual([
        'Bodlon iawn',
        'Eithaf bodlon',
        'Ddim yn fodlon nac yn anfodlon',
        'Eithaf anfodlon',
        'Anfodlon iawn',
        'Ddim yn gwybod / amherthnasol',
      ])
    } else if (id === 'equality-monitoring') {
      expect(model.getQuestionByName('sex').title).toBe('Beth yw eich rhyw?')
    }
  })
})

describe('composeSurvey', () => {
  it('builds the demo survey: core satisfaction then the equality block, with merged metadata', () => {
    const { definition, metadata } = demoSurvey()
    expect(DEMO_TEMPLATE_IDS).toEqual(['core-satisfaction', 'equality-monitoring'])
    expect(definition.pages.map((p) => p.name)).toEqual([
      'your_contact',
      'how_we_did',
      'your_ideas',
      'about_you',
    ])
    expect(checkTemplate(definition, metadata)).toEqual([])
    expect(Object.keys(metadata.ratings)).toHaveLength(7)
    expect(metadata.segments.map((s) => s.question)).toEqual([
      'service',
      'channel',
      'age_band',
      'sex',
      'long_term_condition',
    ])
    expect(metadata.equalityQuestions).toHaveLength(9)
    expect(metadata.locales).toEqual(['en', 'cy'])
    expect(metadata.cseElements).toEqual(expect.arrayContaining(['1.1.1', '1.1.3', '1.3.3']))
    expect(new Model(definition).getAllQuestions()).toHaveLength(19)
  })

  it('keeps question names unique when the equality block is added to any template', () => {
    for (const id of TEMPLATE_IDS) {
      if (id === 'equality-monitoring') continue
      const { definition, metadata } = composeSurvey([id, 'equality-monitoring'])
      const names = listQuestions(definition).map((q) => q.name)
      expect(new Set(names).size, id).toBe(names.length)
      expect(checkTemplate(definition, metadata), id).toEqual([])
    }
  })

  it('keeps Welsh when every part carries it, as every template now does', () => {
    for (const id of TEMPLATE_IDS.filter((t) => t !== EQUALITY_BLOCK_ID))
      expect(composeSurvey([id, EQUALITY_BLOCK_ID]).metadata.locales, id).toEqual(['en', 'cy'])
  })

  it('reports clashing names when two templates share questions', () => {
    const { definition, metadata } = composeSurvey(['core-satisfaction', 'after-contact'])
    const problems = checkTemplate(definition, metadata)
    expect(problems.some((p) => p.code === 'duplicate_name' && p.question === 'overall')).toBe(true)
    // Page names are made unique even so.
    const pages = definition.pages.map((p) => p.name)
    expect(new Set(pages).size).toBe(pages.length)
  })

  it('takes an id, a staff title and URL segments', () => {
    const { metadata, definition } = composeSurvey(DEMO_TEMPLATE_IDS, {
      id: 'my-survey',
      title: 'Customer survey',
      urlSegments: [{ param: 'site', label: 'Site', values: [{ value: 'town_hall', label: 'Town hall' }] }],
    })
    expect(metadata.id).toBe('my-survey')
    expect(metadata.title).toBe('Customer survey')
    expect(metadata.urlSegments.map((u) => u.param)).toEqual(['site'])
    expect(localized(definition.title)).toBe(localized(requireTemplate('core-satisfaction').definition.title))
  })

  it('refuses unknown ids and an empty list', () => {
    expect(() => composeSurvey(['core-satisfaction', 'nope'])).toThrow(/Unknown survey template "nope"/)
    expect(() => composeSurvey([])).toThrow(/at least one/)
  })
})
