import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Model } from 'survey-core'
import { composeSurvey } from '#templates/index.ts'
import { describeSurvey, visibleQuestionNames } from '#app/services/survey-definition.server.ts'

const { definition } = composeSurvey(['core-satisfaction', 'equality-monitoring'])
const descriptor = describeSurvey(definition)

function fresh(answers: Record<string, unknown>): string[] {
  const model = new Model(definition)
  model.data = answers
  return model.getAllQuestions(true, false, false).map((q) => q.name).sort()
}

describe('visibleQuestionNames (cached, reused model)', () => {
  it('agrees with a fresh survey-core model for any answers, in any order of calls', () => {
    const value = fc.constantFrom('yes', 'no', 'prefer_not', undefined, 5, 'other')
    fc.assert(
      fc.property(fc.array(fc.record({ gender_identity: value, long_term_condition: value, overall: value }), { minLength: 1, maxLength: 8 }), (calls) => {
        for (const raw of calls) {
          const answers = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined))
          expect([...visibleQuestionNames(descriptor, answers)].sort()).toEqual(fresh(answers))
        }
      }),
      { numRuns: 40 },
    )
  })

  it('a conditional question shows only when its condition holds', () => {
    expect(visibleQuestionNames(descriptor, { long_term_condition: 'yes' }).size).toBeGreaterThan(visibleQuestionNames(descriptor, { long_term_condition: 'no' }).size)
  })
})
