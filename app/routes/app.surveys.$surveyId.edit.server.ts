import { data } from '@remix-run/node'
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
  draftProblems,
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
  type Draft,
  type EditResult,
} from '#app/services/builder-draft.server.ts'
import { builderEditSchema, fieldErrors } from '#app/components/builder/schemas.ts'
import {
  answerValues,
  choiceValue,
  isRecord,
  listQuestions,
  SINGLE_CHOICE_TYPES,
  STANDARD_DRIVERS,
} from '#templates/index.ts'

const TYPE_LABELS: Record<string, string> = {
  radiogroup: 'single choice',
  checkbox: 'multiple choice',
  dropdown: 'drop-down list',
  rating: 'rating',
  comment: 'free text',
  text: 'short text',
}

function viewDraft(draft: Draft) {
  const m = draft.metadata
  const questionView = (name: string) => {
    const element = findQuestion(draft, name)!
    const rating = m.ratings[name]
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
    }
  }
  const pages = draft.definition.pages.map((p) => ({
    name: p.name,
    title: readText(p.title),
    questions: listQuestions({ pages: [p] }).map((q) => questionView(q.name)),
  }))
  const d = draft.definition
  return {
    welsh: hasWelsh(draft),
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
    },
  }
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
    problems: draftProblems(draft),
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
    await updateSurveySettings(db, ctx.organisationId, survey.id, {
      title: edit.title,
      wave: edit.wave,
      retentionDays: edit.retentionDays,
      opensAt: dayStart(edit.opensAt),
      closesAt: dayAfter(edit.closesAt),
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
        return editWording(draft, edit.name, { ...edit, choices })
      }
      case 'delete-question':
        return deleteQuestion(draft, edit.name)
      case 'move-question':
        return moveQuestion(draft, edit.name, edit.direction)
      case 'add-page':
        return addPage(draft, edit.titleEn, edit.titleCy)
      case 'edit-page':
        return editPage(draft, edit.page, edit.titleEn, edit.titleCy)
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
        return setRespondentTexts(draft, edit)
    }
  }
  const result = await saveEdit(db, actor, survey, change)
  if (!result.ok) return reply(422, { problems: result.problems })
  return reply(200, { notice: NOTICES[edit.intent], values: {} })
}
