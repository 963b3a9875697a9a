import type { FormQuestion, RespondentForm as FormShape } from '#app/services/respondent-form.server.ts'
import type { AnswerProblem } from '#app/services/validate-answers.server.ts'
import { PrivacyNotice } from './privacy-notice.tsx'

interface Props {
  data: {
    slug: string
    lang: string
    locales: string[]
    clientId: string
    segments: Record<string, string>
    form: FormShape
    invitation: string | null
    invitationState?: 'none' | 'unused' | 'used' | 'unknown'
    organisationName: string
    privacyNotice?: string | null
    retentionDays: number
    resume?: string | null
    initialAnswers?: Record<string, unknown> | null
  }
  actionData: {
    problems: AnswerProblem[]
    values: Record<string, string[]>
    saved?: { url: string; expiresAt: string }
  } | null
}

const TEXT = {
  en: {
    errorTitle: 'There is a problem',
    submit: 'Send my answers',
    optional: '(optional)',
    ifApplies: 'Answer this if it applies to you.',
    switchTo: 'Cymraeg',
    choose: 'Choose an answer',
    pageOf: (i: number, n: number) => `Part ${i} of ${n}`,
    save: 'Save and come back later',
    savedTitle: 'Your answers are saved',
    savedBody: (date: string) =>
      `Use this link to come back and finish before ${date}. Keep it private: anyone with it can see and change these answers.`,
    invitationUsed: 'This invitation has already been used',
    invitationUsedBody:
      'Thank you: we have your answers from this link, and each invitation accepts one response.',
    invitationUnknown: 'This invitation link is not valid',
    invitationUnknownBody:
      'Check that the whole link was copied. If it still does not work, the survey may have changed; contact us.',
  },
  cy: {
    errorTitle: 'Mae problem',
    submit: 'Anfon fy atebion',
    optional: '(dewisol)',
    ifApplies: "Atebwch hwn os yw'n berthnasol i chi.",
    switchTo: 'English',
    choose: 'Dewiswch ateb',
    pageOf: (i: number, n: number) => `Rhan ${i} o ${n}`,
    save: 'Cadw a dod yn ôl yn nes ymlaen',
    savedTitle: "Mae eich atebion wedi'u cadw",
    savedBody: (date: string) =>
      `Defnyddiwch y ddolen hon i ddod yn ôl a gorffen cyn ${date}. Cadwch hi'n breifat: gall unrhyw un sydd â hi weld a newid yr atebion hyn.`,
    invitationUsed: "Mae'r gwahoddiad hwn wedi'i ddefnyddio eisoes",
    invitationUsedBody:
      "Diolch: mae eich atebion o'r ddolen hon gennym, ac mae pob gwahoddiad yn derbyn un ymateb.",
    invitationUnknown: "Nid yw'r ddolen wahoddiad hon yn ddilys",
    invitationUnknownBody:
      "Gwiriwch fod y ddolen gyfan wedi'i chopïo. Os nad yw'n gweithio o hyd, cysylltwch â ni.",
  },
} as const

function QuestionField({
  q,
  problem,
  values,
  text,
}: {
  q: FormQuestion
  problem?: AnswerProblem
  values: string[]
  text: (typeof TEXT)['en' | 'cy']
}) {
  const id = `q-${q.name}`
  const hintId = `${id}-hint`
  const errorId = `${id}-error`
  const describedBy =
    [q.description || q.conditional ? hintId : null, problem ? errorId : null].filter(Boolean).join(' ') ||
    undefined
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
          <span className="sr-only">Error: </span>
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
    return (
      <fieldset className={problem ? 'field-error' : undefined} aria-describedby={describedBy} id={id}>
        <legend>{label}</legend>
        {hint}
        {q.choices.map((c, i) => (
          <div className="choice" key={c.value}>
            <input
              type={type}
              id={`${id}-${i}`}
              name={q.name}
              value={c.value}
              defaultChecked={values.includes(c.value)}
              required={q.required && type === 'radio' && i === 0 ? true : undefined}
            />
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
        <select
          id={id}
          name={q.name}
          defaultValue={values[0] ?? ''}
          aria-describedby={describedBy}
          required={q.required}
        >
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
        <textarea
          id={id}
          name={q.name}
          rows={5}
          maxLength={q.maxLength}
          defaultValue={values[0] ?? ''}
          aria-describedby={describedBy}
          required={q.required}
        />
      ) : (
        <input
          id={id}
          name={q.name}
          type={q.inputType === 'number' ? 'number' : 'text'}
          inputMode={q.inputType === 'number' ? 'numeric' : undefined}
          maxLength={q.maxLength}
          defaultValue={values[0] ?? ''}
          aria-describedby={describedBy}
          required={q.required}
        />
      )}
    </div>
  )
}

/** Stored answers (a resumed draft) as the strings the form fields hold. */
function answersAsFormValues(answers: Record<string, unknown> | null): Record<string, string[]> {
  const values: Record<string, string[]> = {}
  for (const [name, value] of Object.entries(answers ?? {}))
    values[name] = Array.isArray(value) ? value.map(String) : [String(value)]
  return values
}

/** The survey as a real HTML form: works with no JavaScript, with a screen reader, on any phone. */
export function RespondentForm({ data, actionData }: Props) {
  const lang = data.lang === 'cy' ? 'cy' : 'en'
  const text = TEXT[lang]
  const problems = actionData?.problems ?? []
  const byQuestion = new Map(problems.map((p) => [p.question, p]))
  const values = actionData?.values ?? answersAsFormValues(data.initialAnswers ?? null)
  const saved = actionData?.saved
  const other = lang === 'cy' ? 'en' : 'cy'
  const switchParams = new URLSearchParams({ ...data.segments, lang: other })
  if (data.invitation) switchParams.set('invitation', data.invitation)
  if (data.invitationState === 'used' || data.invitationState === 'unknown') {
    const used = data.invitationState === 'used'
    return (
      <div className="panel-confirm" data-testid="invitation-refused">
        <h1>{used ? text.invitationUsed : text.invitationUnknown}</h1>
        <p>{used ? text.invitationUsedBody : text.invitationUnknownBody}</p>
      </div>
    )
  }
  return (
    <>
      {data.locales.includes('cy') ? (
        <p>
          <a href={`/s/${data.slug}?${switchParams.toString()}`} lang={other} hrefLang={other}>
            {text.switchTo}
          </a>
        </p>
      ) : null}
      <h1>{data.form.title}</h1>
      {data.form.description ? <p className="lede">{data.form.description}</p> : null}
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
        <div className="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1}>
          <h2 id="error-summary-title">{text.errorTitle}</h2>
          <ul>
            {problems.map((p) => (
              <li key={p.question + p.message}>
                {byQuestion.has(p.question) && p.question !== 'form' ? (
                  <a href={`#q-${p.question}`}>{p.message}</a>
                ) : (
                  p.message
                )}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <form method="post" action={`/s/${data.slug}${data.lang === 'cy' ? '?lang=cy' : ''}`} noValidate>
        <input type="hidden" name="clientId" value={data.clientId} />
        <input type="hidden" name="lang" value={data.lang} />
        {data.invitation ? <input type="hidden" name="invitation" value={data.invitation} /> : null}
        {data.resume || saved ? (
          <input
            type="hidden"
            name="resume"
            value={data.resume ?? new URL(saved!.url).searchParams.get('resume') ?? ''}
          />
        ) : null}
        {Object.entries(data.segments).map(([param, value]) => (
          <input key={param} type="hidden" name={`segment.${param}`} value={value} />
        ))}
        <div className="honeypot" aria-hidden="true">
          <label htmlFor="website">Leave this empty</label>
          <input id="website" name="website" type="text" tabIndex={-1} autoComplete="off" />
        </div>
        {data.form.pages.map((page, index) => (
          <section key={index} aria-labelledby={`page-${index}`}>
            <h2 className="page-heading" id={`page-${index}`}>
              {data.form.pages.length > 1
                ? `${text.pageOf(index + 1, data.form.pages.length)}${page.title ? `: ${page.title}` : ''}`
                : page.title || text.pageOf(1, 1)}
            </h2>
            {page.description ? <p className="hint">{page.description}</p> : null}
            {page.questions.map((q) => (
              <QuestionField
                key={q.name}
                q={q}
                problem={byQuestion.get(q.name)}
                values={values[q.name] ?? []}
                text={text}
              />
            ))}
          </section>
        ))}
        <PrivacyNotice
          lang={lang}
          organisationName={data.organisationName}
          retentionDays={data.retentionDays}
          custom={data.privacyNotice}
        />
        <div className="button-group">
          <button type="submit" className="button">
            {text.submit}
          </button>
          {data.form.pages.length > 1 ? (
            <button type="submit" name="intent" value="save" className="button secondary" formNoValidate>
              {text.save}
            </button>
          ) : null}
        </div>
      </form>
    </>
  )
}
