import { data } from '@remix-run/node'
import { writeAudit } from '#db/queries/accounts.ts'
import { updateSurveySettings } from '#db/queries/surveys.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import {
  requireSurvey,
  saveEdit,
  surveyDraft,
  wordingChangesSincePreviousWave,
} from '#app/services/builder.server.ts'
import {
  addPage,
  addQuestion,
  addUrlSegment,
  deletePage,
  deleteQuestion,
  driverBlocks,
  editPage,
  editWording,
  findQuestion,
  hasWelsh,
  includesEqualityBlock,
  movePage,
  moveQuestion,
  readText,
  removeUrlSegment,
  setDriverBlocks,
  setEqualityBlock,
  setRespondentTexts,
  setSegmentQuestions,
  publishProblems,
  type Draft,
  type EditResult,
} from '#app/services/builder-draft.server.ts'
import { setCondition, setRequired, setWelsh } from '#app/services/builder-draft-logic.server.ts'
import {
  conditionView,
  earlierQuestions,
  operatorLabel,
  operatorsFor,
  targetNode,
  type ConditionOperator,
  type Target,
} from '#app/services/builder-logic.server.ts'
import {
  fieldId,
  lacksWelsh,
  otherTexts,
  textLabel,
  textSlots,
  type TextOwner,
} from '#app/services/builder-welsh.server.ts'
import { builderEditSchema, fieldErrors } from '#app/components/builder/schemas.ts'
import {
  answerValues,
  choiceValue,
  isRecord,
  listQuestions,
  localized,
  SINGLE_CHOICE_TYPES,
  STANDARD_DRIVERS,
  type ElementJSON,
} from '#templates/index.ts'

const TYPE_LABELS: Record<string, string> = {
  radiogroup: 'single choice',
  checkbox: 'multiple choice',
  dropdown: 'drop-down list',
  rating: 'rating',
  comment: 'free text',
  text: 'short text',
}

/** The texts without a field of their own (an import's "Other" label, a check's message...), as fields. */
function otherTextFields(draft: Draft, owner: TextOwner, holder: unknown) {
  return otherTexts(draft.definition, owner).map((slot) => ({
    path: slot.path,
    label: textLabel(owner, slot.path, holder),
    id: fieldId(owner, slot.path, 'en').replace(/-en$/, ''),
    ...readText(slot.value),
  }))
}

function viewDraft(draft: Draft) {
  const m = draft.metadata
  const d = draft.definition
  const welsh = hasWelsh(draft)
  const lacking = new Set(
    welsh ? textSlots(d).filter((s) => lacksWelsh(s.value)).map((s) => JSON.stringify(s.owner)) : [],
  )
  const questionView = (name: string, pageIndex: number) => {
    const element = findQuestion(draft, name)!
    const rating = m.ratings[name]
    const owner: TextOwner = { kind: 'question', name, pageIndex }
    return {
      name,
      type: element.type,
      typeLabel: rating ? `rating (${rating.driver})` : (TYPE_LABELS[element.type] ?? element.type),
      driver: rating?.driver ?? null,
      standardDriver: rating ? (STANDARD_DRIVERS as readonly string[]).includes(rating.driver) : false,
      title: readText(element.title),
      description: readText(element.description),
      choices: Array.isArray(element.choices)
        ? element.choices.map((c) => ({
            value: String(choiceValue(c)),
            ...readText(isRecord(c) ? c.text : String(c)),
          }))
        : [],
      segment: m.segments.find((s) => s.question === name)?.label ?? null,
      equality: m.equalityQuestions.includes(name),
      singleChoice: SINGLE_CHOICE_TYPES.includes(element.type) && !rating,
      values: answerValues(element).map(String),
      required: element.isRequired === true,
      condition: conditionView(d, element.visibleIf),
      welshMissing: lacking.has(JSON.stringify(owner)),
      otherTexts: otherTextFields(draft, owner, element),
    }
  }
  const pages = d.pages.map((p, index) => {
    const owner: TextOwner = { kind: 'page', name: p.name, index }
    return {
      name: p.name,
      title: readText(p.title),
      description: readText(p.description),
      condition: conditionView(d, p.visibleIf),
      welshMissing: lacking.has(JSON.stringify(owner)),
      otherTexts: otherTextFields(draft, owner, p),
      questions: listQuestions({ pages: [p] }).map((q) => questionView(q.name, index)),
    }
  })
  return {
    welsh,
    pages,
    blocks: driverBlocks(draft),
    equality: includesEqualityBlock(draft),
    segments: m.segments,
    urlSegments: m.urlSegments,
    texts: {
      title: readText(d.title),
      introduction: readText(d.description),
      privacy: readText(d.privacyNotice),
      completion: readText(d.completedHtml),
      other: otherTextFields(draft, { kind: 'survey' }, d),
    },
  }
}

const choiceLabel = (element: ElementJSON, value: string | number) => {
  const item = (element.choices ?? []).find((c) => String(isRecord(c) ? c.value : c) === String(value))
  return (isRecord(item) && localized(item.text as never)) || String(value)
}

/**
 * The condition form for one question or page (`?logic=question:NAME` or `?logic=page:NAME`), and, once an
 * earlier question is chosen (`&when=NAME`), how its answer can be compared and which answers it offers. It is two
 * steps, each a plain form, so it works without JavaScript.
 */
function logicForm(draft: Draft, url: URL) {
  const raw = url.searchParams.get('logic') ?? ''
  const match = /^(question|page):(.{1,80})$/.exec(raw)
  if (!match) return null
  const target: Target = { kind: match[1] as 'question' | 'page', name: match[2]! }
  const node = targetNode(draft.definition, target)
  if (!node) return null
  const sources = earlierQuestions(draft.definition, target)
  const when = sources.find((q) => q.name === url.searchParams.get('when'))
  return {
    target,
    sources: sources.map((q) => ({ name: q.name, label: localized(q.element.title) || q.name })),
    chosen: when
      ? {
          name: when.name,
          label: localized(when.element.title) || when.name,
          operators: operatorsFor(when.element).map((o: ConditionOperator) => ({
            value: o,
            label: operatorLabel(o, when.element),
          })),
          answers: answerValues(when.element).map((v) => ({ value: String(v), label: choiceLabel(when.element, v) })),
        }
      : null,
  }
}

/** Texts other than the form's named fields, sent as `text:PATH:en` and `text:PATH:cy`. */
function otherTextsFrom(values: Record<string, string>): Record<string, { en: string; cy?: string }> {
  const out: Record<string, { en: string; cy?: string }> = {}
  for (const [key, value] of Object.entries(values)) {
    const m = /^text:(.{1,200}):(en|cy)$/.exec(key)
    if (!m) continue
    const entry = (out[m[1]!] ??= { en: '' })
    entry[m[2] as 'en' | 'cy'] = value.slice(0, 4000)
  }
  return out
}

export async function loadBuilder(request: Request, surveyId: string) {
  const ctx = await requirePermission(request, 'survey:write')
  const db = await getDb()
  const survey = await requireSurvey(db, ctx.organisationId, surveyId)
  const draft = surveyDraft(survey)
  const waves = await wordingChangesSincePreviousWave(db, ctx.organisationId, survey)
  return {
    survey: {
      id: survey.id,
      slug: survey.slug,
      title: survey.title,
      wave: survey.wave,
      status: survey.status,
      published: survey.currentVersionId !== null,
      retentionDays: survey.retentionDays,
      opensAt: survey.opensAt?.toISOString().slice(0, 10) ?? '',
      // Stored as the first moment after the closing day; shown as the closing day itself.
      closesAt: survey.closesAt
        ? new Date(survey.closesAt.getTime() - 86_400_000).toISOString().slice(0, 10)
        : '',
      updatedAt: survey.updatedAt.toISOString(),
    },
    draft: viewDraft(draft),
    problems: publishProblems(draft, survey.id),
    logic: logicForm(draft, new URL(request.url)),
    waveChanges: waves?.changes.filter((c) => !c.kinds.includes('added')) ?? [],
  }
}

export interface BuilderActionData {
  intent: string
  /** The question or page the form was about, so its errors show next to it. */
  target: string
  errors: Record<string, string>
  problems: Array<{ message: string; question?: string; page?: string }>
  values: Record<string, string>
  notice?: string
}

const NOTICES: Record<string, string> = {
  blocks: 'Question blocks saved.',
  'add-question': 'Question added.',
  'edit-question': 'Wording saved.',
  'delete-question': 'Question deleted.',
  'move-question': 'Question moved.',
  'add-page': 'Page added.',
  'edit-page': 'Page title saved.',
  'move-page': 'Page moved.',
  'delete-page': 'Page deleted.',
  segments: 'Segments saved.',
  'add-url-segment': 'Link parameter added.',
  'remove-url-segment': 'Link parameter removed.',
  texts: 'Survey texts saved.',
  settings: 'Settings saved.',
  'set-condition': 'Condition saved.',
  'remove-condition': 'Condition removed: it now always shows.',
  'set-required': 'Saved.',
  languages: 'Languages saved.',
}

const dayStart = (day: string): Date | null => (day ? new Date(`${day}T00:00:00Z`) : null)
const dayAfter = (day: string): Date | null =>
  day ? new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000) : null

export async function handleBuilderAction(request: Request, surveyId: string) {
  const ctx = await requirePermission(request, 'survey:write')
  const db = await getDb()
  const survey = await requireSurvey(db, ctx.organisationId, surveyId)
  const form = await request.formData()
  const values = Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === 'string')) as Record<
    string,
    string
  >
  const intent = values.intent ?? ''
  const target = values.name ?? values.page ?? values.param ?? ''
  const reply = (status: number, extra: Partial<BuilderActionData>) =>
    data<BuilderActionData>({ intent, target, errors: {}, problems: [], values, ...extra }, { status })

  const parsed = builderEditSchema.safeParse(values)
  if (!parsed.success) return reply(400, { errors: fieldErrors(parsed.error) })
  const edit = parsed.data
  const actor = { organisationId: ctx.organisationId, userId: ctx.userId }

  if (edit.intent === 'settings') {
    const settings = {
      title: edit.title,
      wave: edit.wave,
      // The retention period is changed only on its own page, by an admin, after a preview of what it would
      // delete (app/routes/app.surveys.$surveyId.retention.server.ts); a value posted here is ignored.
      retentionDays: survey.retentionDays,
      opensAt: dayStart(edit.opensAt),
      closesAt: dayAfter(edit.closesAt),
    }
    await updateSurveySettings(db, ctx.organisationId, survey.id, settings)
    await writeAudit(db, {
      ...actor,
      action: 'survey.settings_saved',
      targetType: 'survey',
      targetId: survey.id,
      details: { title: settings.title, wave: settings.wave, opensAt: settings.opensAt?.toISOString() ?? null, closesAt: settings.closesAt?.toISOString() ?? null },
    })
    return reply(200, { notice: NOTICES.settings })
  }

  const change = (draft: Draft): EditResult => {
    switch (edit.intent) {
      case 'blocks': {
        const drivers = form.getAll('driver').filter((v): v is string => typeof v === 'string')
        const withBlocks = setDriverBlocks(draft, drivers)
        return withBlocks.ok ? setEqualityBlock(withBlocks.draft, edit.equality) : withBlocks
      }
      case 'add-question':
        return addQuestion(draft, { ...edit, driver: edit.driver || undefined })
      case 'edit-question': {
        const element = findQuestion(draft, edit.name)
        const count = Array.isArray(element?.choices) ? element.choices.length : 0
        const choices = Array.from({ length: count }, (_, i) => ({
          en: values[`choice.${i}.en`] ?? '',
          cy: values[`choice.${i}.cy`],
        }))
        return editWording(draft, edit.name, { ...edit, choices, texts: otherTextsFrom(values) })
      }
      case 'set-condition':
      case 'remove-condition': {
        const conditionTarget: Target = edit.name
          ? { kind: 'question', name: edit.name }
          : { kind: 'page', name: edit.page! }
        if (edit.intent === 'remove-condition') return setCondition(draft, conditionTarget, null)
        const chosen = form.getAll('value').filter((v): v is string => typeof v === 'string')
        return setCondition(draft, conditionTarget, {
          question: edit.when,
          operator: edit.operator,
          values: chosen.slice(0, 200),
        })
      }
      case 'set-required':
        return setRequired(draft, edit.name, edit.required === 'on')
      case 'languages':
        return setWelsh(draft, edit.welsh === 'on')
      case 'delete-question':
        return deleteQuestion(draft, edit.name)
      case 'move-question':
        return moveQuestion(draft, edit.name, edit.direction)
      case 'add-page':
        return addPage(draft, edit.titleEn, edit.titleCy)
      case 'edit-page':
        return editPage(draft, edit.page, { ...edit, texts: otherTextsFrom(values) })
      case 'move-page':
        return movePage(draft, edit.page, edit.direction)
      case 'delete-page':
        return deletePage(draft, edit.page)
      case 'segments': {
        const chosen = listQuestions(draft.definition)
          .filter((q) => form.get(`segment.${q.name}`) === 'on')
          .map((q) => ({
            question: q.name,
            label: String(form.get(`segmentLabel.${q.name}`) ?? '').slice(0, 100),
          }))
        return setSegmentQuestions(draft, chosen)
      }
      case 'add-url-segment':
        return addUrlSegment(draft, edit)
      case 'remove-url-segment':
        return removeUrlSegment(draft, edit.param)
      case 'texts':
        return setRespondentTexts(draft, { ...edit, texts: otherTextsFrom(values) })
    }
  }
  const result = await saveEdit(db, actor, survey, change, { intent: edit.intent, target })
  if (!result.ok) return reply(422, { problems: result.problems })
  return reply(200, { notice: NOTICES[edit.intent], values: {} })
}
