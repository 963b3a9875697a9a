import { Form } from '@remix-run/react'
import { ButtonForm, Intent } from './fields.tsx'

/*
 * "Show this question (or page) only when…" and "Answer required", for the builder. Choosing a condition takes two
 * plain forms: a GET that picks the earlier question (so its answers can be listed), then a POST that saves the
 * comparison. Both work without JavaScript. The server checks and writes the SurveyJS expression
 * (app/services/builder-logic.server.ts).
 */

export type ConditionView =
  | { kind: 'simple'; expression: string; text: string; question: string; operator: string; values: string[] }
  | { kind: 'expression'; expression: string; text: string }

export interface LogicFormView {
  target: { kind: 'question' | 'page'; name: string }
  sources: Array<{ name: string; label: string }>
  chosen: {
    name: string
    label: string
    operators: Array<{ value: string; label: string }>
    answers: Array<{ value: string; label: string }>
  } | null
}

export function ConditionPanel({
  kind,
  name,
  label,
  condition,
  logic,
  error,
  saved = false,
}: {
  kind: 'question' | 'page'
  name: string
  /** The question's or page's title, for screen-reader labels. */
  label: string
  condition: ConditionView | null
  logic: LogicFormView | null
  error?: string
  /** The condition was just saved: close the form (its address still names it). */
  saved?: boolean
}) {
  const anchor = `logic-${kind}-${name}`
  const open = !saved && logic !== null && logic.target.kind === kind && logic.target.name === name
  const targetField: Record<string, string> = kind === 'question' ? { name } : { page: name }
  const editLink = (when?: string) =>
    `?logic=${encodeURIComponent(`${kind}:${name}`)}${when ? `&when=${encodeURIComponent(when)}` : ''}#${anchor}`
  const current = condition?.kind === 'simple' ? condition : null
  return (
    <div className="builder-logic" id={anchor} data-testid={anchor}>
      {condition === null ? (
        <p className="small">
          Shown to everyone.{' '}
          {open ? null : (
            <a href={editLink()}>
              Show this {kind} only when…<span className="sr-only"> ({label})</span>
            </a>
          )}
        </p>
      ) : condition.kind === 'simple' ? (
        <p className="small" data-testid={`${anchor}-text`}>
          Shown only when {condition.text}.{' '}
          {open ? null : (
            <a href={editLink(condition.question)}>
              Change the condition<span className="sr-only"> of {label}</span>
            </a>
          )}
        </p>
      ) : (
        <div className="small" data-testid={`${anchor}-text`}>
          <p>
            Shown only when this condition, written outside the builder, is true. It is kept exactly as it is:
          </p>
          <pre>
            <code>{condition.expression}</code>
          </pre>
        </div>
      )}
      {condition !== null ? (
        <ButtonForm intent="remove-condition" fields={targetField} className="button secondary">
          Remove the condition<span className="sr-only"> of {label}</span>
        </ButtonForm>
      ) : null}
      {open ? (
        <div className="builder-logic-form">
          {error ? (
            <p className="error-message" id={`${anchor}-error`}>
              <span className="sr-only">Error: </span>
              {error}
            </p>
          ) : null}
          {logic.sources.length === 0 ? (
            <p>
              {kind === 'page'
                ? 'There are no questions on earlier pages for this page to depend on.'
                : 'There are no questions before this one for it to depend on.'}{' '}
              <a href={`?#${anchor}`}>Cancel</a>
            </p>
          ) : (
            <form method="get" action={`#${anchor}`}>
              <input type="hidden" name="logic" value={`${kind}:${name}`} />
              <div className="field">
                <label htmlFor={`${anchor}-when`}>
                  Show this {kind} only when the answer to this earlier question…
                </label>
                <select
                  id={`${anchor}-when`}
                  name="when"
                  defaultValue={logic.chosen?.name ?? current?.question}
                >
                  {logic.sources.map((s) => (
                    <option key={s.name} value={s.name}>
                      {s.label}
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit" className="button secondary">
                {logic.chosen ? 'Choose another question' : 'Next: choose the answers'}
              </button>
            </form>
          )}
          {logic.chosen ? (
            <Form method="post" noValidate preventScrollReset>
              <Intent value="set-condition" />
              {Object.entries(targetField).map(([k, v]) => (
                <input key={k} type="hidden" name={k} value={v} />
              ))}
              <input type="hidden" name="when" value={logic.chosen.name} />
              <fieldset>
                <legend>The answer to “{logic.chosen.label}”…</legend>
                {logic.chosen.operators.map((o, i) => (
                  <div className="choice" key={o.value}>
                    <input
                      type="radio"
                      id={`${anchor}-operator-${o.value}`}
                      name="operator"
                      value={o.value}
                      defaultChecked={
                        current && current.question === logic.chosen!.name
                          ? current.operator === o.value
                          : i === 0
                      }
                    />
                    <label htmlFor={`${anchor}-operator-${o.value}`}>{o.label}</label>
                  </div>
                ))}
              </fieldset>
              {logic.chosen.answers.length > 0 ? (
                <fieldset>
                  <legend>Answers</legend>
                  <p className="hint">
                    Tick one answer for “is”, “is not”, “includes”, “at least” and “at most”; one or more for
                    “is one of”; none for “is answered”.
                  </p>
                  {logic.chosen.answers.map((a, i) => (
                    <div className="choice" key={a.value}>
                      <input
                        type="checkbox"
                        id={`${anchor}-value-${i}`}
                        name="value"
                        value={a.value}
                        defaultChecked={
                          current?.question === logic.chosen!.name && current.values.includes(a.value)
                        }
                      />
                      <label htmlFor={`${anchor}-value-${i}`}>{a.label}</label>
                    </div>
                  ))}
                </fieldset>
              ) : null}
              <button type="submit" className="button">
                Save the condition<span className="sr-only"> of {label}</span>
              </button>{' '}
              <a href={`?#${anchor}`}>Cancel</a>
            </Form>
          ) : null}
        </div>
      ) : null}
    </div>
  )
}

export function RequiredToggle({
  name,
  required,
  equality,
}: {
  name: string
  required: boolean
  equality: boolean
}) {
  if (equality) return <p className="small">Answer optional (equality questions always are).</p>
  return (
    <div className="actions">
      <p className="small" data-testid={`required-${name}`}>
        {required ? 'Answer required.' : 'Answer optional.'}
      </p>
      <ButtonForm intent="set-required" fields={{ name, required: required ? 'off' : 'on' }}>
        {required ? 'Make optional' : 'Make required'}
        <span className="sr-only"> question {name}</span>
      </ButtonForm>
    </div>
  )
}
