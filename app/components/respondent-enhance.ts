import { useFetcher, useNavigation, useSubmit } from '@remix-run/react'
import { useEffect, useRef, useState, type RefObject } from 'react'
import type { FormStep, FormValues, PageView } from '#app/services/respondent-pages.server.ts'

/**
 * What JavaScript adds to the server-rendered respondent form (docs/decisions/019-respondent-page-progressive-
 * enhancement.md). Each hook only reads the form or sets properties of fields nobody has touched; none
 * re-renders a field with new state, so an answer given before the scripts arrive is never lost.
 */

export interface VisibilityAnswer {
  /** The scripts have run (posts from here on record 'web' rather than 'nojs' as how they were sent). */
  enhanced: boolean
  hidden: ReadonlySet<string>
  last: boolean
  count: number
  position: number
}
type Visibility = { page: number; hidden: string[]; last: boolean; count: number; position: number }

/**
 * Show and hide this part's questions as answers change. The server decides (survey-core evaluates the
 * survey's own `visibleIf`): a change to a question that some condition reads posts the form with
 * `intent=visibility`, and the answer says which questions to hide. Before the scripts run nothing is hidden,
 * as without JavaScript.
 */
export function useLiveVisibility(formRef: RefObject<HTMLFormElement | null>, view: PageView): VisibilityAnswer {
  const fetcher = useFetcher<{ visibility?: Visibility }>()
  const submit = fetcher.submit
  const [mounted, setMounted] = useState(false)
  const [latest, setLatest] = useState<Visibility | null>(null)
  useEffect(() => setMounted(true), [])
  useEffect(() => setLatest(null), [view])
  useEffect(() => {
    const answer = fetcher.data?.visibility
    if (answer && answer.page === view.page) setLatest(answer)
  }, [fetcher.data, view.page])
  useEffect(() => {
    const form = formRef.current
    if (!form || view.triggers.length === 0) return
    const triggers = new Set(view.triggers)
    let timer: ReturnType<typeof setTimeout> | undefined
    const ask = () => {
      const body = new FormData(form)
      body.set('intent', 'visibility')
      void submit(body, { method: 'post' })
    }
    const onChange = (event: Event) => {
      const name = (event.target as HTMLInputElement | null)?.name
      if (!name || !triggers.has(name)) return
      clearTimeout(timer)
      timer = setTimeout(ask, event.type === 'input' ? 400 : 0)
    }
    form.addEventListener('change', onChange)
    form.addEventListener('input', onChange)
    // Answers given before the scripts arrived count too.
    if (view.asked.some((name) => triggers.has(name))) ask()
    return () => {
      clearTimeout(timer)
      form.removeEventListener('change', onChange)
      form.removeEventListener('input', onChange)
    }
  }, [formRef, view, submit])
  const current = latest ?? view
  return {
    enhanced: mounted,
    hidden: new Set(mounted ? current.hidden : []),
    last: current.last,
    count: current.count,
    position: current.position,
  }
}

/**
 * After Next or Previous, focus the new part's heading, or the error summary when there are problems. After a
 * switch of language focus stays where it is, on the switch.
 */
export function useFocusOnStep(step: FormStep) {
  const headingRef = useRef<HTMLHeadingElement>(null)
  const summaryRef = useRef<HTMLDivElement>(null)
  const first = useRef(true)
  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    if (step.languageSwitched) return
    ;(step.problems.length > 0 ? summaryRef.current : headingRef.current)?.focus()
  }, [step])
  return { headingRef, summaryRef }
}

const STORAGE_PREFIX = 'cse-insight:answers:'
const KEEP_MS = 7 * 86_400_000
/** Fields of the form that are not answers. */
const NOT_ANSWERS = new Set(['clientId', 'lang', 'page', 'via', 'invitation', 'resume', 'resumeKey', 'website', 'intent'])

interface Stored {
  clientId: string
  values: FormValues
  savedAt: number
  /** The part the respondent had reached (index into the form's parts; the server decides if it is shown). */
  page?: number
}

function readStored(key: string): Stored | null {
  try {
    const raw = window.localStorage.getItem(key)
    if (!raw) return null
    const parsed = JSON.parse(raw) as Stored
    if (typeof parsed?.clientId !== 'string' || typeof parsed.values !== 'object' || Date.now() - parsed.savedAt > KEEP_MS) return null
    return parsed
  } catch {
    return null
  }
}

function answersIn(form: HTMLFormElement): FormValues {
  const values: FormValues = {}
  for (const [name, value] of new FormData(form)) {
    if (typeof value !== 'string' || NOT_ANSWERS.has(name) || name.startsWith('segment.')) continue
    ;(values[name] ??= []).push(value)
  }
  return values
}

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement

/** A question's fields still hold what the server rendered: the respondent has not touched them. */
function untouched(fields: Field[]): boolean {
  return fields.every((el) =>
    el instanceof HTMLSelectElement
      ? [...el.options].every((o) => o.selected === o.defaultSelected)
      : el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox')
        ? el.checked === el.defaultChecked
        : el.value === el.defaultValue,
  )
}

/**
 * Keep the answers on this device as they are typed (localStorage, per survey), and bring them back when the
 * page is opened again before sending: only into questions that are empty and untouched, never over an
 * answer. The saved copy is removed when the answers are sent. Returns the response's key (the restored one,
 * so a restored response is still one response) and the restored answers of other parts, to ride along.
 * The part the respondent had reached comes back too: the page posts every answer with `intent=open` and the
 * saved part, and the server shows that part if it is visible for these answers, else the next one that is
 * (app/routes/s.$slug.server.ts); nothing is checked until Next, and Send checks every part.
 */
export function useAutosave(
  formRef: RefObject<HTMLFormElement | null>,
  slug: string,
  clientIds: { fromStep?: string; fromPage: string },
  step: FormStep,
  fresh: boolean,
) {
  const key = `${STORAGE_PREFIX}${slug}`
  const [adopted, setAdopted] = useState<string | null>(null)
  const [restored, setRestored] = useState<FormValues>({})
  const navigation = useNavigation()
  const submit = useSubmit()

  useEffect(() => {
    const form = formRef.current
    const stored = readStored(key)
    if (!form || !stored || (!fresh && stored.clientId !== clientIds.fromPage)) return
    const others: FormValues = {}
    let changed: Field | null = null
    for (const [name, list] of Object.entries(stored.values)) {
      if ((step.values[name] ?? []).length > 0 || !Array.isArray(list)) continue
      const fields = [...form.querySelectorAll<Field>(`[name="${CSS.escape(name)}"]:not([type=hidden])`)]
      if (fields.length === 0) {
        others[name] = list.map(String)
        continue
      }
      if (!untouched(fields)) continue
      for (const el of fields) {
        if (el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox')) el.checked = list.includes(el.value)
        else el.value = String(list[0] ?? '')
      }
      changed = fields[0]!
    }
    setRestored(others)
    setAdopted(stored.clientId)
    changed?.dispatchEvent(new Event('change', { bubbles: true }))
    if (fresh && typeof stored.page === 'number' && Number.isInteger(stored.page) && stored.page !== step.view.page) {
      const body = new FormData(form)
      for (const [name, list] of Object.entries(others)) for (const value of list) body.append(name, value)
      body.set('clientId', stored.clientId)
      body.set('page', String(stored.page))
      body.set('intent', 'open')
      submit(body, { method: 'post', replace: true, preventScrollReset: true })
    }
    // Once, on first load: later steps carry every answer in the form itself.
  }, [])

  useEffect(() => {
    const form = formRef.current
    if (!form) return
    let timer: ReturnType<typeof setTimeout> | undefined
    const save = () => {
      const clientId = (form.elements.namedItem('clientId') as HTMLInputElement | null)?.value ?? ''
      try {
        const page = Number((form.elements.namedItem('page') as HTMLInputElement | null)?.value)
        const stored: Stored = { clientId, values: answersIn(form), savedAt: Date.now(), page: Number.isInteger(page) ? page : 0 }
        window.localStorage.setItem(key, JSON.stringify(stored))
      } catch {
        // Storage full or refused (private browsing): the answers are still in the form.
      }
    }
    const later = () => {
      clearTimeout(timer)
      timer = setTimeout(save, 300)
    }
    form.addEventListener('input', later)
    form.addEventListener('change', later)
    return () => {
      clearTimeout(timer)
      form.removeEventListener('input', later)
      form.removeEventListener('change', later)
    }
  }, [formRef, key])

  // Sent: the thank-you page is loading. The device keeps nothing.
  useEffect(() => {
    if (navigation.location?.pathname.endsWith('/thanks')) {
      try {
        window.localStorage.removeItem(key)
      } catch {
        // nothing stored
      }
    }
  }, [navigation.location, key])

  return { clientId: clientIds.fromStep ?? adopted ?? clientIds.fromPage, restored }
}
