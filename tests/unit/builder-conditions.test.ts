import { describe, expect, it } from 'vitest'
import { Model } from 'survey-core'
import {
  conditionExpression,
  readCondition,
  validateCondition,
  type SimpleCondition,
} from '#app/services/builder-logic.server.ts'
import { missingWelsh, setTextAt, textSlots } from '#app/services/builder-welsh.server.ts'
import type { SurveyJSON } from '#templates/index.ts'

/*
 * The pure parts of the builder's logic and Welsh checks (app/services/builder-logic.server.ts,
 * builder-welsh.server.ts): every condition shape the builder writes is read back as the same condition, and
 * survey-core shows or hides the question exactly as the words say.
 */
const definition: SurveyJSON = {
  pages: [
    {
      name: 'first',
      elements: [
        {
          type: 'radiogroup',
          name: 'rating',
          choices: [5, 4, 3, 2, 1, 'dont_know'],
        },
        { type: 'checkbox', name: 'topics', choices: ['bins', 'roads', "o'clock", 'say "hi"'] },
        { type: 'comment', name: 'why' },
        { type: 'comment', name: 'target' },
      ],
    },
  ],
}

const visible = (expression: string, data: Record<string, unknown>) => {
  const json = structuredClone(definition)
  json.pages[0]!.elements![3]!.visibleIf = expression
  const model = new Model(json)
  model.data = data
  return model.getQuestionByName('target').isVisible
}

const cases: Array<[SimpleCondition, Record<string, unknown>, Record<string, unknown>]> = [
  [{ question: 'rating', operator: 'is', values: [5] }, { rating: 5 }, { rating: 4 }],
  [{ question: 'rating', operator: 'is_not', values: ['dont_know'] }, { rating: 3 }, { rating: 'dont_know' }],
  [{ question: 'rating', operator: 'any_of', values: [1, 2] }, { rating: 2 }, { rating: 3 }],
  [{ question: 'rating', operator: 'at_least', values: [4] }, { rating: 4 }, { rating: 'dont_know' }],
  [{ question: 'rating', operator: 'at_most', values: [2] }, { rating: 1 }, { rating: 3 }],
  [
    { question: 'topics', operator: 'includes', values: ["o'clock"] },
    { topics: ["o'clock"] },
    { topics: ['bins'] },
  ],
  [
    { question: 'topics', operator: 'excludes', values: ['bins'] },
    { topics: ['roads'] },
    { topics: ['bins'] },
  ],
  [
    { question: 'topics', operator: 'any_of', values: ['bins', 'roads'] },
    { topics: ['roads'] },
    { topics: [] },
  ],
  [{ question: 'why', operator: 'answered', values: [] }, { why: 'x' }, {}],
  [{ question: 'why', operator: 'not_answered', values: [] }, {}, { why: 'x' }],
]

describe('builder conditions', () => {
  it.each(cases)('%o reads back as itself and survey-core applies it', (condition, shown, hidden) => {
    const expression = conditionExpression(condition)!
    expect(readCondition(expression)).toEqual(condition)
    expect(visible(expression, shown)).toBe(true)
    expect(visible(expression, hidden)).toBe(false)
  })

  it('leaves any other expression unread, so it is kept as it is', () => {
    for (const expression of [
      '{rating} = 5 and {why} empty',
      '{panel.x} = 1',
      'age({why}) > 3',
      '{rating} =',
      42,
    ])
      expect(readCondition(expression)).toBeNull()
  })

  it('matches the form’s text values to the question’s typed values', () => {
    const checked = validateCondition(
      definition,
      { kind: 'question', name: 'target' },
      {
        question: 'rating',
        operator: 'any_of',
        values: ['5', 'dont_know'],
      },
    )
    expect(checked).toEqual({ ok: true, expression: "{rating} anyof [5, 'dont_know']" })
    const quoted = validateCondition(
      definition,
      { kind: 'question', name: 'target' },
      {
        question: 'topics',
        operator: 'includes',
        values: ['say "hi"'],
      },
    )
    expect(quoted).toMatchObject({ ok: false, message: expect.stringMatching(/double quotation mark/) })
  })
})

describe('builder Welsh list', () => {
  it('places every text with its survey, page or question, and names the gaps without paths', () => {
    const json: SurveyJSON = {
      title: { default: 'Survey', cy: 'Arolwg' },
      privacyNotice: 'We keep answers for a year.',
      pages: [
        {
          name: 'p1',
          title: 'About you',
          elements: [
            {
              type: 'panel',
              name: 'group',
              title: 'A group',
              elements: [{ type: 'radiogroup', name: 'q', title: 'Q?', choices: ['a'] }],
            },
          ],
        },
      ],
    }
    expect(textSlots(json).map((s) => [s.owner.kind, s.path])).toEqual([
      ['survey', 'privacyNotice'],
      ['survey', 'title'],
      ['page', 'title'],
      ['page', 'elements[0].title'],
      ['question', 'title'],
      ['question', 'choices[0].text'],
    ])
    expect(missingWelsh(json, ['en', 'cy'], 's1').map((g) => g.message)).toEqual([
      'Survey texts: the Welsh privacy notice is missing',
      'Page 1 (“About you”): the Welsh title and title of the group of questions “A group” are missing',
      'Page 1, question “Q?”: the Welsh title and label of the answer “a” are missing',
    ])
    expect(missingWelsh(json, ['en'], 's1')).toEqual([])
    // A bare choice value becomes { value, text } when it is given a label
    const element = json.pages[0]!.elements![0]!.elements![0]!
    expect(setTextAt(element, 'choices[0].text', { default: 'A', cy: 'A (cy)' })).toBe(true)
    expect(element.choices).toEqual([{ value: 'a', text: { default: 'A', cy: 'A (cy)' } }])
    expect(setTextAt(element, 'nothing[3].text', 'x')).toBe(false)
  })
})
