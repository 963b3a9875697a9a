import { answerValues, choiceValue, isRecord, listQuestions, localized } from '#templates/definition.ts'

/*
 * Waves of a series are compared question by question, by name. When the wording of a question changes between
 * two waves, a change in its results may come from the new wording rather than from the service, so trend
 * charts must warn about it. This module is pure: the builder and the dashboard both call it.
 */

export type WordingChangeKind =
  | 'title'
  | 'description'
  | 'answers'
  | 'answer_labels'
  | 'type'
  | 'added'
  | 'removed'

export interface WordingChange {
  question: string
  /** What changed, in a fixed order. */
  kinds: WordingChangeKind[]
  /** English title in each wave (empty when the question is missing from that wave). */
  before: string
  after: string
  /** One sentence for the analyst. */
  message: string
}

const normalise = (text: string): string => text.replace(/\s+/g, ' ').trim()

function textIn(value: unknown, locale: string): string {
  if (typeof value === 'string') return normalise(value)
  if (isRecord(value)) return normalise(localized(value as { default: string }, locale))
  return ''
}

/** Every locale a localizable value carries. */
function localesOf(...values: unknown[]): string[] {
  const out = new Set<string>(['en'])
  for (const v of values) if (isRecord(v)) for (const k of Object.keys(v)) if (k !== 'default') out.add(k)
  return [...out]
}

const sameText = (a: unknown, b: unknown): boolean =>
  localesOf(a, b).every((l) => textIn(a, l) === textIn(b, l))

function choiceLabels(element: Record<string, unknown>): Map<string, unknown> {
  const labels = new Map<string, unknown>()
  if (Array.isArray(element.choices)) {
    for (const item of element.choices) {
      const value = choiceValue(item)
      if (value !== undefined) labels.set(String(value), isRecord(item) ? item.text : undefined)
    }
  }
  return labels
}

/**
 * Questions whose wording differs between two waves' definitions: a changed title or description (in any
 * locale), changed answer values, changed answer labels, a changed type, or a question present in only one wave.
 * Whitespace differences are ignored. Questions are matched by name, in the order of the later wave.
 */
export function compareWaveWording(defA: unknown, defB: unknown): WordingChange[] {
  const a = new Map(listQuestions(defA).map((q) => [q.name, q]))
  const b = new Map(listQuestions(defB).map((q) => [q.name, q]))
  const changes: WordingChange[] = []
  for (const [name, qb] of b) {
    const qa = a.get(name)
    const after = textIn(qb.element.title, 'en') || name
    if (!qa) {
      changes.push({
        question: name,
        kinds: ['added'],
        before: '',
        after,
        message: `"${name}" is new in this wave: there is no earlier result to compare with.`,
      })
      continue
    }
    const before = textIn(qa.element.title, 'en') || name
    const kinds: WordingChangeKind[] = []
    if (qa.type !== qb.type) kinds.push('type')
    if (!sameText(qa.element.title, qb.element.title)) kinds.push('title')
    if (!sameText(qa.element.description, qb.element.description)) kinds.push('description')
    const valuesA = answerValues(qa.element).map(String)
    const valuesB = answerValues(qb.element).map(String)
    if (valuesA.length !== valuesB.length || valuesA.some((v, i) => v !== valuesB[i])) kinds.push('answers')
    else {
      const la = choiceLabels(qa.element)
      const lb = choiceLabels(qb.element)
      if ([...lb].some(([value, label]) => !sameText(la.get(value), label))) kinds.push('answer_labels')
    }
    if (kinds.length === 0) continue
    const what: Record<WordingChangeKind, string> = {
      type: 'question type',
      title: 'question wording',
      description: 'help text',
      answers: 'answer options',
      answer_labels: 'answer labels',
      added: 'added',
      removed: 'removed',
    }
    changes.push({
      question: name,
      kinds,
      before,
      after,
      message: `"${name}": the ${kinds.map((k) => what[k]).join(', ')} changed between waves, so a change in its results may come from the new wording.`,
    })
  }
  for (const [name, qa] of a) {
    if (b.has(name)) continue
    const before = textIn(qa.element.title, 'en') || name
    changes.push({
      question: name,
      kinds: ['removed'],
      before,
      after: '',
      message: `"${name}" is not in this wave: its trend stops here.`,
    })
  }
  return changes
}
