import { Form, useLocation, useNavigation } from '@remix-run/react'
import { useRef } from 'react'
import { langOf, otherLang } from '#app/i18n/catalogue.ts'
import { respondentText } from '#app/i18n/respondent.ts'
import type { FormQuestion, RespondentForm as FormShape } from '#app/services/respondent-form.server.ts'
import type { FormStep, StepProblem } from '#app/services/respondent-pages.server.ts'
import { PrivacyNotice } from './privacy-notice.tsx'
import { useAutosave, useFocusOnStep, useLiveVisibility, type VisibilityAnswer } from './respondent-enhance.ts'

export interface RespondentPageData {
  slug: string
  lang: string
  locales: string[]
  clientId: string
  segments: Record<string, string>
  form: FormShape
  step: FormStep
  invitation: string | null
  invitationState?: 'none' | 'unused' | 'used' | 'unknown'
  organisationName: string
  privacyNotice?: string | null
  retentionDays: number
  resume?: string | null
}

type Text = (typeof respondentText)['en' | 'cy']

function QuestionField({ q, problem, values, text }: { q: FormQuestion; problem?: StepProblem; values: string[]; text: Text }) {
  const id = `q-${q.name}`
  const hintId = `${id}-hint`
  const errorId = `${id}-error`
  const describedBy =
    [q.description || q.conditional ? hintId : null, problem ? errorId : null].filter(Boolean).join(' ') || undefined
  const hint = (
    <>
      {q.description || q.conditional ? (
        <p className="hint" id={hintId}>
          {q.description}
          {q.description && q.conditional ? ' ' : null}
          {q.conditional ? text.ifApplies : null}
        </p>
      ) : null}
      {problem ? (
        <p className="error-message" id={errorId}>
          <span className="sr-only">{text.errorPrefix} </span>
          {problem.message}
        </p>
      ) : null}
    </>
  )
  const label = (
    <>
      {q.title} {q.required ? null : <span className="small">{text.optional}</span>}
    </>
  )
  if (q.kind === 'radiogroup' || q.kind === 'rating' || q.kind === 'checkbox' || q.kind === 'boolean') {
    const type = q.kind === 'checkbox' ? 'checkbox' : 'radio'
    const choices = q.kind === 'boolean' ? [{ value: 'true', text: text.yes }, { value: 'false', text: text.no }] : q.choices
    return (
      <fieldset className={problem ? 'field-error' : undefined} aria-describedby={describedBy} id={id}>
        <legend>{label}</legend>
        {hint}
        {choices.map((c, i) => (
          <div className="choice" key={c.value}>
            <input type={type} id={`${id}-${i}`} name={q.name} value={c.value} defaultChecked={values.includes(c.value)} />
            <label htmlFor={`${id}-${i}`}>{c.text}</label>
          </div>
        ))}
      </fieldset>
    )
  }
  if (q.kind === 'dropdown') {
    return (
      <div className={`field${problem ? ' field-error' : ''}`}>
        <label htmlFor={id}>{label}</label>
        {hint}
        <select id={id} name={q.name} defaultValue={values[0] ?? ''} aria-describedby={describedBy}>
          <option value="">{text.choose}</option>
          {q.choices.map((c) => (
            <option key={c.value} value={c.value}>
              {c.text}
            </option>
          ))}
        </select>
      </div>
    )
  }
  return (
    <div className={`field${problem ? ' field-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint}
      {q.kind === 'comment' ? (
        <textarea id={id} name={q.name} rows={5} maxLength={q.maxLength} defaultValue={values[0] ?? ''} aria-describedby={describedBy} />
      ) : (
        <input
          id={id}
          name={q.name}
          type={q.inputType === 'number' ? 'number' : 'text'}
          inputMode={q.inputType === 'number' ? 'numeric' : undefined}
          maxLength={q.maxLength}
          defaultValue={values[0] ?? ''}
          aria-describedby={describedBy}
        />
      )}
    </div>
  )
}

/** Where an error summary link goes: the first radio or box of a choice question, else the field itself. */
function fieldAnchor(q: FormQuestion): string {
  return q.kind === 'radiogroup' || q.kind === 'rating' || q.kind === 'checkbox' || q.kind === 'boolean'
    ? `#q-${q.name}-0`
    : `#q-${q.name}`
}

function invitationRefusal(state: RespondentPageData['invitationState'], text: Text) {
  if (state !== 'used' && state !== 'unknown') return null
  const used = state === 'used'
  return (
    <div className="panel-confirm" data-testid="invitation-refused">
      <h1>{used ? text.invitationUsed : text.invitationUnknown}</h1>
      <p>{used ? text.invitationUsedBody : text.invitationUnknownBody}</p>
    </div>
  )
}

/**
 * The survey as a real HTML form, one part at a time: it works with no JavaScript, with a screen reader, on
 * any phone. With JavaScript it only enhances (./respondent-enhance.ts): parts change without a reload,
 * questions show and hide as the server decides, answers are kept on the device. It never replaces a field.
 */
export function RespondentForm({ data, step }: { data: RespondentPageData; step: FormStep & { clientId?: string } }) {
  const lang = langOf(data.lang)
  const text = respondentText[lang]
  const formRef = useRef<HTMLFormElement>(null)
  const navigation = useNavigation()
  const page = data.form.pages[step.view.page]
  const live: VisibilityAnswer = useLiveVisibility(formRef, step.view)
  const { clientId, restored } = useAutosave(
    formRef,
    data.slug,
    { fromStep: step.clientId, fromPage: data.clientId },
    step,
    !step.clientId && !data.resume,
  )
  const { headingRef, summaryRef } = useFocusOnStep(step)
  const switchAction = useSwitchAction(data.slug, otherLang(lang))

  const refusal = invitationRefusal(data.invitationState, text)
  if (refusal) return refusal

  const asked = new Set(step.view.asked)
  const triggers = new Set(step.view.triggers)
  const questions = (page?.questions ?? []).filter((q) => asked.has(q.name))
  const byName = new Map(questions.map((q) => [q.name, q]))
  const problems = step.problems
  const byQuestion = new Map(problems.map((p) => [p.question, p]))
  const carried = { ...restored, ...step.values }
  const saved = step.saved
  const resumeToken = saved?.token ?? step.resumeCarry?.token ?? data.resume ?? null
  const writeKey = saved?.writeKey ?? step.resumeCarry?.writeKey ?? null
  const count = live.count
  const heading =
    count > 1 ? `${text.pageOf(live.position, count)}${page?.title ? `: ${page.title}` : ''}` : page?.title || data.form.title
  const busy = navigation.state !== 'idle'
  return (
    <Form method="post" noValidate replace preventScrollReset ref={formRef} id="respondent-form">
      {/* Enter in a text box sends the form with its first submit button: Next, never the language switch. */}
      <button type="submit" className="sr-only" tabIndex={-1} aria-hidden="true">
        {live.last ? text.submit : text.next}
      </button>
      {data.locales.includes('cy') ? (
        <p className="language-switch">
          {/* A button of the form, not a link: the answers on this part go with it and come back in the other
              language, on the same part (app/routes/s.$slug.server.ts, intent lang-…). */}
          <button
            type="submit"
            name="intent"
            value={`lang-${switchAction.lang}`}
            formAction={switchAction.href}
            formNoValidate
            className="link-button"
            lang={switchAction.lang}
          >
            {text.switchTo}
          </button>
        </p>
      ) : null}
      {/* an English title on the Welsh page (the survey has no Welsh title) is marked as English */}
      <h1 lang={data.form.titleLang !== data.lang ? data.form.titleLang : undefined}>{data.form.title}</h1>
      {data.form.description && step.view.position === 1 ? <p className="lede">{data.form.description}</p> : null}
      {saved ? (
        <div className="panel-confirm" role="status" data-testid="resume-saved">
          <h2>{text.savedTitle}</h2>
          <p>
            {text.savedBody(
              new Date(saved.expiresAt).toLocaleDateString(lang === 'cy' ? 'cy-GB' : 'en-GB', {
                day: 'numeric',
                month: 'long',
                year: 'numeric',
              }),
            )}
          </p>
          <p>
            <a href={saved.url} data-testid="resume-link">
              {saved.url}
            </a>
          </p>
        </div>
      ) : null}
      {problems.length > 0 ? (
        <div className="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1} ref={summaryRef}>
          <h2 id="error-summary-title">{text.errorTitle}</h2>
          <ul>
            {problems.map((p) => {
              const q = byName.get(p.question)
              return <li key={p.question + p.message}>{q ? <a href={fieldAnchor(q)}>{p.message}</a> : p.message}</li>
            })}
          </ul>
        </div>
      ) : null}
      <p className="hint">{text.blankRule}</p>
      <input type="hidden" name="clientId" value={clientId} />
      <input type="hidden" name="lang" value={lang} />
      <input type="hidden" name="page" value={step.view.page} />
      <input type="hidden" name="via" value={live.enhanced ? 'web' : 'nojs'} />
      {data.invitation ? <input type="hidden" name="invitation" value={data.invitation} /> : null}
      {resumeToken ? <input type="hidden" name="resume" value={resumeToken} /> : null}
      {/* Only the page that saved holds the write key; a page opened from a link saves into a new link. */}
      {writeKey ? <input type="hidden" name="resumeKey" value={writeKey} /> : null}
      {Object.entries(data.segments).map(([param, value]) => (
        <input key={param} type="hidden" name={`segment.${param}`} value={value} />
      ))}
      {/* Answers from the other parts ride along, so nothing is lost between parts (and the last part sends all). */}
      {Object.entries(carried).flatMap(([name, list]) =>
        asked.has(name) ? [] : list.map((value, i) => <input key={`${name}:${i}`} type="hidden" name={name} value={value} />),
      )}
      <div className="honeypot" aria-hidden="true">
        <label htmlFor="website">{text.honeypotLabel}</label>
        <input id="website" name="website" type="text" tabIndex={-1} autoComplete="off" />
      </div>
      <section aria-labelledby="page-heading" key={step.view.page}>
        <h2 className="page-heading" id="page-heading" tabIndex={-1} ref={headingRef}>
          {heading}
        </h2>
        {page?.description ? <p className="hint">{page.description}</p> : null}
        {questions.map((q) => (
          <div key={q.name} data-question={q.name} data-trigger={triggers.has(q.name) ? '' : undefined} hidden={live.hidden.has(q.name)}>
            <QuestionField q={q} problem={byQuestion.get(q.name)} values={step.values[q.name] ?? []} text={text} />
          </div>
        ))}
      </section>
      <PrivacyNotice lang={lang} organisationName={data.organisationName} retentionDays={data.retentionDays} custom={data.privacyNotice} />
      {live.enhanced ? <p className="hint">{text.keptOnDevice}</p> : null}
      <p className="sr-only" role="status" aria-live="polite">
        {busy ? (live.last ? text.sending : text.loadingPage) : ''}
      </p>
      <div className="button-group">
        <button type="submit" name="intent" value="next" className="button">
          {live.last ? text.submit : text.next}
        </button>
        {step.view.position > 1 ? (
          <button type="submit" name="intent" value="previous" className="button secondary" formNoValidate>
            {text.previous}
          </button>
        ) : null}
        {data.form.pages.length > 1 ? (
          <button type="submit" name="intent" value="save" className="button secondary" formNoValidate>
            {text.save}
          </button>
        ) : null}
        </div>
    </Form>
  )
}

/**
 * Where the language switch posts: this page's address (resume link, invitation, segments) in the other
 * language, so the page after the post, and its loader, are in that language.
 */
function useSwitchAction(slug: string, lang: 'en' | 'cy') {
  const location = useLocation()
  const params = new URLSearchParams(location.search)
  params.set('lang', lang)
  return { lang, href: `/s/${encodeURIComponent(slug)}?${params.toString()}` }
}
