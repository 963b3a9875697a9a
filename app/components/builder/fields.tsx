import { Form } from '@remix-run/react'
import type { ReactNode } from 'react'
import { Field } from './error-summary.tsx'

/** Shared pieces of the builder's forms (app/routes/app.surveys.$surveyId.edit.tsx). */

export function Intent({ value }: { value: string }) {
  return <input type="hidden" name="intent" value={value} />
}

/** A small POST form holding one button: works without JavaScript, and with the keyboard alone. */
export function ButtonForm({
  intent,
  fields,
  children,
  className = 'button secondary',
}: {
  intent: string
  fields: Record<string, string>
  children: ReactNode
  className?: string
}) {
  return (
    <Form method="post" className="inline-form" preventScrollReset>
      <Intent value={intent} />
      {Object.entries(fields).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <button type="submit" className={className}>
        {children}
      </button>
    </Form>
  )
}

/** English field, plus a Welsh one when the survey is bilingual. */
export function BilingualField({
  id,
  name,
  label,
  en,
  cy,
  welsh,
  multiline,
  hint,
  errors,
}: {
  id: string
  name: string
  label: string
  en: string
  cy: string
  welsh: boolean
  multiline?: boolean
  hint?: string
  errors?: Record<string, string>
}) {
  return (
    <>
      <Field
        id={`${id}-en`}
        name={`${name}En`}
        label={welsh ? `${label} (English)` : label}
        defaultValue={en}
        multiline={multiline}
        hint={hint}
        error={errors?.[`${name}En`]}
      />
      {welsh ? (
        <Field
          id={`${id}-cy`}
          name={`${name}Cy`}
          label={`${label} (Welsh)`}
          defaultValue={cy}
          multiline={multiline}
          lang="cy"
          error={errors?.[`${name}Cy`]}
        />
      ) : null}
    </>
  )
}

export interface OtherText {
  path: string
  label: string
  id: string
  en: string
  cy: string
}

/**
 * Texts with no field of their own (an imported "Other" label, a check's error message, a group's title), so
 * that every text can be given its Welsh. Sent as `text:PATH:en` and `text:PATH:cy`.
 */
export function OtherTextFields({
  texts,
  welsh,
  owner,
}: {
  texts: OtherText[]
  welsh: boolean
  owner: string
}) {
  if (texts.length === 0) return null
  return (
    <fieldset>
      <legend>Other texts{owner ? ` of ${owner}` : ''}</legend>
      {texts.map((t) => (
        <div key={t.path}>
          <Field
            id={`${t.id}-en`}
            name={`text:${t.path}:en`}
            label={`${capitalise(t.label)}${welsh ? ' (English)' : ''}`}
            defaultValue={t.en}
          />
          {welsh ? (
            <Field
              id={`${t.id}-cy`}
              name={`text:${t.path}:cy`}
              label={`${capitalise(t.label)} (Welsh)`}
              defaultValue={t.cy}
              lang="cy"
            />
          ) : null}
        </div>
      ))}
    </fieldset>
  )
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
