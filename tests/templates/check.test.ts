import { Model } from 'survey-core'
import { describe, expect, it } from 'vitest'
import {
  AGREE_5,
  checkTemplate,
  PROBLEM_CODES,
  requireTemplate,
  SATISFACTION_5,
  type ElementJSON,
  type ProblemCode,
  type SurveyJSON,
  type TemplateMetadata,
  type TemplateProblem,
} from '../../survey-templates/index.ts'

const satisfaction = (name: string): ElementJSON => ({
  type: 'radiogroup',
  name,
  title: `How satisfied are you with ${name}?`,
  choices: [5, 4, 3, 2, 1, 'dont_know'].map((value) => ({ value, text: String(value) })),
})

/** A small valid survey to break in one way per test. */
function fixture(): { definition: SurveyJSON; metadata: TemplateMetadata } {
  return {
    definition: {
      title: 'Test',
      pages: [
        {
          name: 'p1',
          elements: [
            { type: 'radiogroup', name: 'channel', title: 'Channel', choices: ['phone', 'online'] },
            { type: 'panel', name: 'box', elements: [satisfaction('overall'), satisfaction('timeliness')] },
            { type: 'comment', name: 'improve', title: 'Improve' },
          ],
        },
        {
          name: 'p2',
          elements: [
            {
              type: 'radiogroup',
              name: 'sex',
              title: 'Sex',
              choices: [
                { value: 'female', text: 'Female' },
                { value: 'prefer_not_to_say', text: 'Prefer not to say' },
              ],
            },
          ],
        },
      ],
    },
    metadata: {
      id: 'fixture',
      title: 'Fixture',
      description: '',
      cseElements: ['1.3.3'],
      ratings: {
        overall: { driver: 'overall', coding: SATISFACTION_5 },
        timeliness: { driver: 'timeliness', coding: SATISFACTION_5 },
      },
      comments: [{ question: 'improve' }],
      segments: [{ question: 'channel', label: 'Channel' }],
      urlSegments: [],
      equalityQuestions: ['sex'],
      locales: ['en'],
      notDrivers: [],
    },
  }
}

const codes = (problems: TemplateProblem[]): ProblemCode[] => problems.map((p) => p.code)
const only = (problems: TemplateProblem[], code: ProblemCode): TemplateProblem => {
  expect(codes(problems)).toEqual([code])
  return problems[0]!
}
/** The nested panel holding the two ratings. */
const panel = (d: SurveyJSON): ElementJSON => d.pages[0]!.elements![1]!

describe('checkTemplate', () => {
  it('accepts the valid fixture', () => {
    const { definition, metadata } = fixture()
    expect(checkTemplate(definition, metadata)).toEqual([])
  })

  it('accepts metadata before zod defaults are applied', () => {
    const { definition } = fixture()
    const input = {
      id: 'fixture',
      title: 'Fixture',
      cseElements: ['1.3.3'],
      ratings: {
        overall: { driver: 'overall', coding: SATISFACTION_5 },
        timeliness: { driver: 'timeliness', coding: SATISFACTION_5 },
      },
    }
    expect(checkTemplate(definition, input)).toEqual([])
  })

  it('finds duplicate question names, including inside panels', () => {
    const { definition, metadata } = fixture()
    definition.pages[1]!.elements!.push(satisfaction('timeliness'))
    const p = only(checkTemplate(definition, metadata), 'duplicate_name')
    expect(p.question).toBe('timeliness')
    expect(p.message).toMatch(/"timeliness"/)
  })

  it('finds a rating with no coding', () => {
    const { definition, metadata } = fixture()
    panel(definition).elements!.push(satisfaction('delivery'))
    expect(only(checkTemplate(definition, metadata), 'rating_without_coding').question).toBe('delivery')
  })

  it('treats a SurveyJS rating question with no metadata as a rating with no coding', () => {
    const { definition, metadata } = fixture()
    definition.pages[1]!.elements!.push({ type: 'rating', name: 'stars', title: 'Stars' })
    expect(only(checkTemplate(definition, metadata), 'rating_without_coding').question).toBe('stars')
  })

  it('lets an analyst mark a scale question "not a driver", and checks the name exists', () => {
    const { definition, metadata } = fixture()
    definition.pages[1]!.elements!.push({ type: 'rating', name: 'stars', title: 'Stars' })
    expect(checkTemplate(definition, { ...metadata, notDrivers: ['stars'] })).toEqual([])
    const unknown = checkTemplate(definition, { ...metadata, notDrivers: ['stars', 'moons'] })
    expect(unknown.map((p) => [p.code, p.question])).toEqual([['unknown_question', 'moons']])
  })

  it('blocks a survey imported from SurveyJS until a rating measures overall satisfaction', () => {
    const { definition, metadata } = fixture()
    expect(checkTemplate(definition, { ...metadata, importedFrom: 'surveyjs' })).toEqual([])
    const { overall, ...rest } = metadata.ratings
    expect(overall).toBeDefined()
    // Without the overall rating's metadata it is also an unmapped rating; both problems say what to do.
    const problems = checkTemplate(definition, { ...metadata, ratings: rest, importedFrom: 'surveyjs' })
    expect(problems.map((p) => p.code).sort()).toEqual(['no_overall_measure', 'rating_without_coding'])
    expect(problems.find((p) => p.code === 'no_overall_measure')!.message).toMatch(
      /No question measures overall satisfaction yet, so this survey cannot be published/,
    )
    expect(problems.find((p) => p.code === 'rating_without_coding')!.message).toMatch(/mapping page/)
    // Surveys built from our templates are not held to this rule (the equality block alone has no rating).
    expect(checkTemplate(definition, { ...metadata, ratings: rest }).map((p) => p.code)).toEqual([
      'rating_without_coding',
    ])
  })

  it('finds metadata naming a question the definition lacks (ratings, comments, segments, equality)', () => {
    const { definition, metadata } = fixture()
    metadata.ratings.ghost = { driver: 'delivery', coding: SATISFACTION_5 }
    metadata.comments.push({ question: 'ghost_comment' })
    metadata.segments.push({ question: 'ghost_segment', label: 'Ghost' })
    metadata.equalityQuestions.push('ghost_equality')
    const problems = checkTemplate(definition, metadata)
    expect(codes(problems)).toEqual(Array(4).fill('unknown_question'))
    expect(problems.map((p) => p.question)).toEqual([
      'ghost',
      'ghost_comment',
      'ghost_segment',
      'ghost_equality',
    ])
  })

  it('finds a driver tag on a non-rating question', () => {
    const { definition, metadata } = fixture()
    metadata.ratings.improve = { driver: 'delivery', coding: SATISFACTION_5 }
    const p = only(checkTemplate(definition, metadata), 'driver_on_non_rating')
    expect(p.question).toBe('improve')
    expect(p.message).toMatch(/comment question/)
  })

  it('finds an empty page, including one holding only an empty panel', () => {
    const { definition, metadata } = fixture()
    definition.pages.push({ name: 'p3', elements: [] })
    definition.pages.push({ name: 'p4', elements: [{ type: 'panel', name: 'empty', elements: [] }] })
    definition.pages.push({ name: 'p5' })
    const problems = checkTemplate(definition, metadata)
    expect(codes(problems)).toEqual(['empty_page', 'empty_page', 'empty_page'])
    expect(problems.map((p) => p.page)).toEqual(['p3', 'p4', 'p5'])
  })

  it('finds a segment question that is not a single-choice question', () => {
    const { definition, metadata } = fixture()
    metadata.segments.push({ question: 'improve', label: 'Comments' })
    expect(only(checkTemplate(definition, metadata), 'segment_not_choice').question).toBe('improve')
    const multi = fixture()
    multi.definition.pages[0]!.elements![0]!.type = 'checkbox'
    expect(only(checkTemplate(multi.definition, multi.metadata), 'segment_not_choice').question).toBe(
      'channel',
    )
  })

  it("finds a rating whose answer values don't match its coding", () => {
    const { definition, metadata } = fixture()
    // A 0-10 scale coded as 1-5 satisfaction.
    panel(definition).elements![0]!.choices = [...Array.from({ length: 11 }, (_, i) => i), 'dont_know']
    const p = only(checkTemplate(definition, metadata), 'coding_mismatch')
    expect(p.question).toBe('overall')
    expect(p.message).toMatch(/0, 6, 7, 8, 9, 10 are not in its coding/)
  })

  it('finds a rating that lacks answers its coding expects, or stores numbers as strings', () => {
    const { definition, metadata } = fixture()
    panel(definition).elements![0]!.choices = ['5', '4', '3', '2', '1', 'dont_know']
    const p = only(checkTemplate(definition, metadata), 'coding_mismatch')
    expect(p.message).toMatch(/expects the answers 4, 5, 3, 1, 2/)
  })

  it('accepts another coding when the values match it', () => {
    const { definition, metadata } = fixture()
    metadata.ratings.overall = { driver: 'overall', coding: AGREE_5 }
    expect(checkTemplate(definition, metadata)).toEqual([])
  })

  it('finds a rating with no "Don\'t know" answer', () => {
    const { definition, metadata } = fixture()
    panel(definition).elements![1]!.choices = [5, 4, 3, 2, 1]
    expect(only(checkTemplate(definition, metadata), 'rating_without_dont_know').question).toBe('timeliness')
  })

  it('counts built-in SurveyJS items (showNoneItem) among the answers', () => {
    const { definition, metadata } = fixture()
    panel(definition).elements![1]!.showNoneItem = true
    expect(only(checkTemplate(definition, metadata), 'coding_mismatch').message).toMatch(/"none"/)
  })

  it('finds a free-text comment entry on a choice question', () => {
    const { definition, metadata } = fixture()
    metadata.comments.push({ question: 'channel' })
    expect(only(checkTemplate(definition, metadata), 'comment_not_free_text').question).toBe('channel')
  })

  it('finds a required equality question, and one without "Prefer not to say"', () => {
    const { definition, metadata } = fixture()
    const sex = definition.pages[1]!.elements![0]!
    sex.isRequired = true
    sex.choices = [{ value: 'female', text: 'Female' }]
    expect(codes(checkTemplate(definition, metadata))).toEqual([
      'equality_required',
      'equality_without_prefer_not_to_say',
    ])
  })

  it('finds question types the no-JavaScript form cannot show', () => {
    const { definition, metadata } = fixture()
    definition.pages[1]!.elements!.push({ type: 'matrix', name: 'grid' })
    expect(only(checkTemplate(definition, metadata), 'unsupported_type').question).toBe('grid')
  })

  it('finds missing and badly formed question names', () => {
    const { definition, metadata } = fixture()
    definition.pages[1]!.elements!.push({ type: 'text', name: '' }, { type: 'text', name: 'Bad Name' })
    expect(codes(checkTemplate(definition, metadata))).toEqual(['missing_name', 'invalid_name'])
  })

  it('finds missing Welsh when the metadata promises cy', () => {
    const { definition, metadata } = requireTemplate('core-satisfaction')
    const overall = definition.pages[1]!.elements![0]!
    overall.title = 'Overall, how satisfied are you?'
    const firstChoice = overall.choices![0] as { text: { default: string; cy?: string } }
    firstChoice.text = { default: 'Very satisfied', cy: ' ' }
    const problems = checkTemplate(definition, metadata)
    expect(codes(problems)).toEqual(['missing_translation', 'missing_translation'])
    expect(problems.map((p) => p.message)).toEqual([
      'The text at pages[1].elements[0].title has no "cy" translation.',
      'The text at pages[1].elements[0].choices[0].text has no "cy" translation.',
    ])
  })

  it('reports invalid metadata and invalid definitions without throwing', () => {
    const { definition } = fixture()
    expect(codes(checkTemplate(definition, { id: 'X' })).every((c) => c === 'invalid_metadata')).toBe(true)
    expect(codes(checkTemplate(null, fixture().metadata))).toEqual(['invalid_definition'])
    expect(codes(checkTemplate({ pages: [] }, fixture().metadata))).toContain('invalid_definition')
  })

  it('has a negative test above for every problem code', () => {
    // Keep this list in step with the tests in this file.
    const tested: ProblemCode[] = [
      'invalid_definition',
      'invalid_metadata',
      'empty_page',
      'missing_name',
      'invalid_name',
      'duplicate_name',
      'unsupported_type',
      'rating_without_coding',
      'unknown_question',
      'driver_on_non_rating',
      'coding_mismatch',
      'rating_without_dont_know',
      'segment_not_choice',
      'comment_not_free_text',
      'equality_required',
      'equality_without_prefer_not_to_say',
      'missing_translation',
      'no_overall_measure',
    ]
    expect([...tested].sort()).toEqual([...PROBLEM_CODES].sort())
  })
})

describe('survey-core sanity', () => {
  it('reports unknown properties as JSON errors, so the "no JSON errors" template test means something', () => {
    const model = new Model({
      pages: [{ name: 'p', elements: [{ type: 'radiogroup', name: 'q', bogusProperty: 1 }] }],
    })
    expect(model.jsonErrors?.length ?? 0).toBeGreaterThan(0)
  })
})
