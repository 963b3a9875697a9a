import {
  answerValues,
  checkTemplate,
  DONT_KNOW,
  isRecord,
  listQuestions,
  localized,
  looksLikeRating,
  SINGLE_CHOICE_TYPES,
  STANDARD_DRIVERS,
  type ElementJSON,
  type LocalizableString,
  type QuestionRef,
  type ScaleCoding,
} from '#templates/index.ts'
import { acceptEdit, hasWelsh, type Draft, type EditResult } from './builder-draft.server.ts'

/*
 * The mapping step for surveys brought from SurveyJS (docs/decisions/023-surveyjs-import-and-mapping.md): each
 * rating question gets a CSE driver (or "not a driver") and a scale coding, each single-choice question may define
 * a customer group. Suggestions come from the question's type, name, wording and answer labels; nothing is
 * stored until the analyst saves, and checkTemplate keeps publishing blocked until overall satisfaction is mapped.
 */

export const NOT_A_DRIVER = 'not_a_driver'

export const DRIVER_OPTIONS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'overall', label: 'Overall satisfaction' },
  { value: 'delivery', label: 'Delivery (did what we said we would)' },
  { value: 'timeliness', label: 'Timeliness' },
  { value: 'information', label: 'Information' },
  { value: 'access', label: 'Access' },
  { value: 'professionalism', label: 'Staff professionalism' },
  { value: 'staff_attitude', label: 'Staff attitude' },
  { value: NOT_A_DRIVER, label: 'Not a driver (keep the answers, leave them out of satisfaction results)' },
]

/** Ordered: the first rule whose words appear in a question's name or wording suggests its driver. */
const DRIVER_RULES: ReadonlyArray<readonly [driver: string, words: RegExp]> = [
  ['overall', /\boverall\b|\ball things considered\b|\bin general\b/],
  ['professionalism', /professional|knowledg|knew what|competen|expert/],
  ['staff_attitude', /\bstaff\b|helpful|friendly|polite|courteous|attitude|treated|respect/],
  ['timeliness', /\btime|quick|speed|prompt|\bwait|how long|\bdelay/],
  ['information', /informat|explain|\bclear\b|advice|understand/],
  ['access', /\baccess|get in touch|reach us|contact us|opening hours|easy to (contact|reach|find)/],
  ['delivery', /deliver|promis|said (we|you) would|outcome|result|resolv|sorted/],
]

const SEGMENT_WORDS =
  /service|channel|contact|how did you|\bage\b|\bsex\b|gender|\barea\b|\bward\b|district|device|reason|disab|ethnic|tenure|visit/

const NEGATIVE = /dissatisf|disagree|difficult|\bpoor|\bbad\b|unhelpful|not at all|\bnever\b|unlikely|\bslow/
const POSITIVE = /satisf|agree|\beasy|\bgood|excellent|helpful|likely|always|quick/

export interface CodingOption {
  key: string
  label: string
  coding: ScaleCoding
}

export interface RatingCandidate {
  name: string
  page: string
  title: string
  type: string
  /** Numeric answers, lowest first, with their labels. */
  scale: Array<{ value: number; label: string }>
  options: CodingOption[]
  suggested: { driver: string; coding: string; reason: string }
  current: { driver: string; coding: string } | null
}

export interface SegmentCandidate {
  name: string
  page: string
  title: string
  choices: string[]
  suggested: boolean
  current: string | null
}

const text = (value: unknown): string => {
  const t: unknown = localized(value as LocalizableString | undefined)
  return typeof t === 'string' ? t.trim() : ''
}
const asNumber = (v: string | number): number | null =>
  typeof v === 'number' ? v : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : null

function choiceLabels(element: ElementJSON): Map<string, string> {
  const labels = new Map<string, string>()
  const items = element.type === 'rating' ? element.rateValues : element.choices
  if (Array.isArray(items))
    for (const item of items) {
      if (isRecord(item) && item.value !== undefined) labels.set(String(item.value), text(item.text))
    }
  return labels
}

function scaleOf(element: ElementJSON): Array<{ value: number; label: string }> {
  const labels = choiceLabels(element)
  const numeric = answerValues(element)
    .map((v) => ({ raw: v, value: asNumber(v) }))
    .filter((v): v is { raw: string | number; value: number } => v.value !== null)
    .sort((a, b) => a.value - b.value)
  return numeric.map((v, i) => {
    let label = labels.get(String(v.raw)) ?? ''
    if (!label && element.type === 'rating') {
      if (i === 0) label = text(element.minRateDescription)
      if (i === numeric.length - 1) label = text(element.maxRateDescription)
    }
    return { value: v.value, label }
  })
}

const list = (values: number[]) => (values.length > 0 ? values.join(', ') : 'none')

/** Top-n / bottom-n codings, for a higher-is-better and a lower-is-better scale. */
export function codingOptions(scale: Array<{ value: number; label: string }>): CodingOption[] {
  const values = scale.map((s) => s.value)
  const options: CodingOption[] = []
  for (const direction of ['high', 'low'] as const) {
    const best = direction === 'high' ? [...values].reverse() : values
    for (let n = 1; n <= Math.min(Math.floor(values.length / 2), 5); n++) {
      const satisfied = best.slice(0, n).sort((a, b) => a - b)
      const dissatisfied = best.slice(-n).sort((a, b) => a - b)
      const neither = values.filter((v) => !satisfied.includes(v) && !dissatisfied.includes(v))
      options.push({
        key: `${direction}:${n}`,
        label: `${direction === 'high' ? 'Higher is better' : 'Lower is better'}: ${list(satisfied)} count as satisfied, ${list(neither)} as neither, ${list(dissatisfied)} as dissatisfied`,
        coding: { satisfied, neither, dissatisfied, dontKnow: [DONT_KNOW] },
      })
    }
  }
  return options
}

function suggestCoding(scale: Array<{ value: number; label: string }>): { key: string; reason: string } {
  const k = scale.length
  const n = Math.min(Math.floor(k / 2), k <= 5 ? 2 : Math.max(2, Math.floor(k * 0.4)))
  const low = scale[0]?.label.toLowerCase() ?? ''
  const high = scale[k - 1]?.label.toLowerCase() ?? ''
  const reversed = NEGATIVE.test(high) && POSITIVE.test(low) && !NEGATIVE.test(low)
  const direction = reversed ? 'low' : 'high'
  const ends = reversed ? ` because ${scale[0]!.value} is "${scale[0]!.label}"` : ''
  return {
    key: `${direction}:${Math.max(1, n)}`,
    reason: `the ${reversed ? 'lowest' : 'top'} ${Math.max(1, n)} of ${k} answers count as satisfied${ends}`,
  }
}

function suggestDriver(q: QuestionRef): string {
  const words = `${q.name.replace(/_/g, ' ')} ${text(q.element.title)}`.toLowerCase()
  return DRIVER_RULES.find(([, rule]) => rule.test(words))?.[0] ?? ''
}

/** Scale questions to map: those that look like ratings, and those already mapped or marked "not a driver". */
export function ratingCandidates(draft: Draft): RatingCandidate[] {
  const m = draft.metadata
  const candidates = listQuestions(draft.definition).filter(
    (q) =>
      q.name !== '' &&
      (looksLikeRating(q) || m.ratings[q.name] !== undefined || m.notDrivers.includes(q.name)),
  )
  const out = candidates.map((q): RatingCandidate => {
    const scale = scaleOf(q.element)
    const options = codingOptions(scale)
    const coding = suggestCoding(scale)
    const driver = suggestDriver(q)
    const rating = m.ratings[q.name]
    const currentKey = rating
      ? (options.find((o) => sameCoding(o.coding, rating.coding))?.key ?? 'custom')
      : coding.key
    return {
      name: q.name,
      page: q.page,
      title: text(q.element.title) || q.name,
      type: q.type,
      scale,
      options,
      suggested: {
        driver,
        coding: coding.key,
        reason: driver
          ? `Suggested from the wording: ${DRIVER_OPTIONS.find((d) => d.value === driver)!.label.toLowerCase()}; ${coding.reason}.`
          : `No driver suggested from the wording; ${coding.reason}.`,
      },
      current: rating
        ? { driver: rating.driver, coding: currentKey }
        : m.notDrivers.includes(q.name)
          ? { driver: NOT_A_DRIVER, coding: coding.key }
          : null,
    }
  })
  // A survey with one rating is usually asking about overall satisfaction.
  if (out.length === 1 && out[0]!.suggested.driver === '') {
    out[0]!.suggested.driver = 'overall'
    out[0]!.suggested.reason = `Suggested because it is the only rating; ${suggestCoding(out[0]!.scale).reason}.`
  }
  return out
}

const sameCoding = (a: ScaleCoding, b: ScaleCoding) =>
  JSON.stringify([a.satisfied, a.neither, a.dissatisfied]) ===
  JSON.stringify([b.satisfied, b.neither, b.dissatisfied])

/** Single-choice questions that could define a customer group (ratings excluded). */
export function segmentCandidates(draft: Draft): SegmentCandidate[] {
  const ratings = new Set(ratingCandidates(draft).map((r) => r.name))
  return listQuestions(draft.definition)
    .filter((q) => q.name !== '' && SINGLE_CHOICE_TYPES.includes(q.type) && !ratings.has(q.name))
    .map((q) => {
      const title = text(q.element.title) || q.name
      const labels = choiceLabels(q.element)
      return {
        name: q.name,
        page: q.page,
        title,
        choices: answerValues(q.element).map((v) => labels.get(String(v)) || String(v)),
        suggested: SEGMENT_WORDS.test(`${q.name.replace(/_/g, ' ')} ${title}`.toLowerCase()),
        current: draft.metadata.segments.find((s) => s.question === q.name)?.label ?? null,
      }
    })
}

export interface MappingInput {
  ratings: Array<{ question: string; driver: string; coding?: string }>
  segments: Array<{ question: string; label: string }>
}

const DONT_KNOW_TEXT = { default: "Don't know / not applicable", cy: 'Ddim yn gwybod / amherthnasol' }

/** Numeric strings become numbers (codings are numeric), and a "Don't know" answer is added when there is none. */
function prepareScale(element: ElementJSON, welsh: boolean): void {
  const key = element.type === 'rating' ? 'rateValues' : 'choices'
  let items: unknown[] | undefined = Array.isArray(element[key]) ? (element[key] as unknown[]) : undefined
  if (element.type === 'rating' && (items === undefined || items.length === 0))
    items = answerValues(element).map((v) => ({ value: v, text: String(v) }))
  if (items === undefined) return
  const fixed = items.map((item) => {
    if (typeof item === 'string' || typeof item === 'number') return asNumber(item) ?? item
    if (isRecord(item) && (typeof item.value === 'string' || typeof item.value === 'number'))
      return { ...item, value: asNumber(item.value) ?? item.value }
    return item
  })
  const offered = answerValues({ ...element, [key]: fixed } as ElementJSON)
  if (!offered.some((v) => asNumber(v) === null))
    fixed.push({ value: DONT_KNOW, text: welsh ? DONT_KNOW_TEXT : DONT_KNOW_TEXT.default })
  const target: Record<string, unknown> = element
  target[key] = fixed
}

export class MappingError extends Error {
  override name = 'MappingError'
}

/** The draft with the analyst's mapping applied, checked like every builder edit (acceptEdit). */
export function applyMapping(before: Draft, input: MappingInput): EditResult {
  const draft = structuredClone(before)
  const candidates = new Map(ratingCandidates(before).map((c) => [c.name, c]))
  const segmentable = new Map(segmentCandidates(before).map((c) => [c.name, c]))
  const questions = new Map(listQuestions(draft.definition).map((q) => [q.name, q.element]))
  const m = draft.metadata
  const overall = input.ratings.filter((r) => r.driver === 'overall').map((r) => r.question)
  if (overall.length > 1)
    throw new MappingError(
      `Only one question can measure overall satisfaction, but ${overall.map((n) => `"${n}"`).join(' and ')} are both mapped to it. Choose one.`,
    )
  for (const r of input.ratings) {
    const candidate = candidates.get(r.question)
    if (!candidate) throw new MappingError(`"${r.question}" is not a rating question of this survey.`)
    delete m.ratings[r.question]
    m.notDrivers = m.notDrivers.filter((n) => n !== r.question)
    if (r.driver === '') continue
    if (r.driver === NOT_A_DRIVER) {
      m.notDrivers.push(r.question)
      continue
    }
    const key = r.coding ?? candidate.suggested.coding
    if (key === 'custom' && before.metadata.ratings[r.question]) {
      m.ratings[r.question] = { ...before.metadata.ratings[r.question]!, driver: r.driver }
      continue
    }
    const option = candidate.options.find((o) => o.key === key)
    if (!option) throw new MappingError(`Choose which answers of "${candidate.title}" count as satisfied.`)
    prepareScale(questions.get(r.question)!, hasWelsh(draft))
    const offered = answerValues(questions.get(r.question)!)
    m.ratings[r.question] = {
      driver: r.driver,
      coding: { ...option.coding, dontKnow: offered.filter((v) => asNumber(v) === null) },
    }
  }
  for (const s of input.segments)
    if (!segmentable.has(s.question))
      throw new MappingError(`"${s.question}" is not a single-choice question, so it cannot define a group.`)
  const chosen = new Map(input.segments.map((s) => [s.question, s.label.trim()]))
  m.segments = [
    ...m.segments.filter((s) => !segmentable.has(s.question)),
    ...[...segmentable.values()]
      .filter((c) => chosen.has(c.name))
      .map((c) => ({ question: c.name, label: (chosen.get(c.name) || c.title).slice(0, 100) })),
  ]
  return acceptEdit(before, draft)
}

export interface MappingStatus {
  unmapped: Array<{ name: string; title: string }>
  hasOverall: boolean
  /** Other problems that block publishing, in checkTemplate's own words. */
  otherProblems: string[]
  ready: boolean
}

/** What still stands between this draft and publishing, in plain English, for the mapping page. */
export function mappingStatus(draft: Draft): MappingStatus {
  const m = draft.metadata
  const unmapped = ratingCandidates(draft)
    .filter((c) => c.current === null)
    .map((c) => ({ name: c.name, title: c.title }))
  const hasOverall = Object.values(m.ratings).some((r) => r.driver === 'overall')
  const otherProblems = checkTemplate(draft.definition, m)
    .filter((p) => p.code !== 'rating_without_coding' && p.code !== 'no_overall_measure')
    .map((p) => p.message)
  return {
    unmapped,
    hasOverall,
    otherProblems,
    ready: unmapped.length === 0 && hasOverall && otherProblems.length === 0,
  }
}

export const isStandardDriver = (driver: string) => (STANDARD_DRIVERS as readonly string[]).includes(driver)
