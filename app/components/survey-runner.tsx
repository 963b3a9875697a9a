import { useEffect, useMemo, useRef, useState } from 'react'
import { Model } from 'survey-core'
import { Survey } from 'survey-react-ui'

export interface SurveyRunnerProps {
  slug: string
  definition: Record<string, unknown>
  lang: string
  clientId: string
  segments: Record<string, string>
  invitation: string | null
  title: string
  /** Save-and-resume: the draft's token and answers when the page was opened from a resume link. */
  resume?: string | null
  initialAnswers?: Record<string, unknown> | null
  initialPage?: number
}

interface Problem {
  question: string
  message: string
}

/**
 * SurveyJS's default green (#19b394) and light greys fail WCAG AA contrast on white. These GOV.UK colours
 * pass: blue #1d70b8 (5.2:1), secondary text #505a5f (7:1), error red #d4351c (4.5:1).
 */
const ACCESSIBLE_THEME = {
  cssVariables: {
    '--sjs-primary-backcolor': '#1d70b8',
    '--sjs-primary-backcolor-dark': '#003078',
    '--sjs-primary-backcolor-light': 'rgba(29, 112, 184, 0.1)',
    '--sjs-primary-forecolor': '#ffffff',
    '--sjs-primary-forecolor-light': 'rgba(255, 255, 255, 0.25)',
    '--sjs-general-forecolor': '#0b0c0c',
    '--sjs-general-forecolor-light': '#505a5f',
    '--sjs-general-dim-forecolor': '#0b0c0c',
    '--sjs-general-dim-forecolor-light': '#505a5f',
    '--sjs-border-default': '#505a5f',
    '--sjs-special-red': '#d4351c',
  },
}

/**
 * SurveyJS on top of the server form, loaded only in the browser. Completion posts to the same API as any
 * other client, with the page's idempotency key, so a double tap or a retry never makes two responses. The
 * thank-you page opens only after the server says the response is committed.
 */
export function SurveyRunner({ slug, definition, lang, clientId, segments, invitation, title, resume, initialAnswers, initialPage }: SurveyRunnerProps) {
  const [problems, setProblems] = useState<Problem[]>([])
  const [status, setStatus] = useState<'answering' | 'sending' | 'failed'>('answering')
  const [resumeUrl, setResumeUrl] = useState<string | null>(null)
  const savedRef = useRef(false)
  const resumeRef = useRef<string | null>(resume ?? null)
  const model = useMemo(() => {
    const m = new Model(definition)
    m.locale = lang === 'en' ? '' : lang
    m.showCompletedPage = false
    m.completeText = lang === 'cy' ? 'Anfon fy atebion' : 'Send my answers'
    m.applyTheme(ACCESSIBLE_THEME)
    if (initialAnswers) m.data = initialAnswers
    if (initialPage && initialPage < m.pageCount) m.currentPageNo = initialPage
    return m
  }, [definition, lang, initialAnswers, initialPage])

  // Save and resume on multi-page surveys: the answers so far are saved on each page turn and shortly after
  // each change, and the respondent gets a link to finish later (on this or another device).
  useEffect(() => {
    if (model.pageCount <= 1) return
    let timer: ReturnType<typeof setTimeout> | undefined
    let inFlight = false
    const save = async () => {
      if (savedRef.current || inFlight) return
      inFlight = true
      try {
        const response = await fetch(`/api/v1/surveys/${encodeURIComponent(slug)}/resume`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ token: resumeRef.current ?? undefined, clientId, answers: model.data, segments, lang, currentPage: model.currentPageNo }),
        })
        if (response.ok) {
          const body = (await response.json()) as { token: string }
          resumeRef.current = body.token
          const params = new URLSearchParams({ resume: body.token })
          if (lang === 'cy') params.set('lang', 'cy')
          if (invitation) params.set('invitation', invitation)
          setResumeUrl(`${window.location.origin}/s/${encodeURIComponent(slug)}?${params.toString()}`)
        }
      } catch {
        // Saving a draft is a convenience; the answers are still on the page.
      } finally {
        inFlight = false
      }
    }
    const onPage = () => {
      clearTimeout(timer)
      void save()
    }
    const onValue = () => {
      clearTimeout(timer)
      timer = setTimeout(() => void save(), 2_000)
    }
    model.onCurrentPageChanged.add(onPage)
    model.onValueChanged.add(onValue)
    return () => {
      clearTimeout(timer)
      model.onCurrentPageChanged.remove(onPage)
      model.onValueChanged.remove(onValue)
    }
  }, [model, slug, clientId, segments, lang, invitation])

  useEffect(() => {
    async function send(data: Record<string, unknown>) {
      setStatus('sending')
      setProblems([])
      try {
        const response = await fetch(`/api/v1/surveys/${encodeURIComponent(slug)}/responses`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ id: clientId, answers: data, segments, ...(invitation ? { invitation } : {}), ...(resumeRef.current ? { resume: resumeRef.current } : {}) }),
        })
        const body = (await response.json().catch(() => ({}))) as { receipt?: string; problems?: Problem[]; message?: string }
        if ((response.status === 201 || response.status === 200) && body.receipt) {
          savedRef.current = true
          window.location.assign(`/s/${encodeURIComponent(slug)}/thanks?receipt=${encodeURIComponent(body.receipt)}${lang === 'cy' ? '&lang=cy' : ''}`)
          return
        }
        setProblems(body.problems ?? [{ question: 'form', message: body.message ?? 'Your answers could not be sent. Please try again.' }])
      } catch {
        setProblems([{ question: 'form', message: 'We could not reach the server. Check your connection and press Send again: nothing will be sent twice.' }])
      }
      setStatus('failed')
    }
    const onCompleting = (sender: Model, options: { allow: boolean }) => {
      if (savedRef.current) return
      options.allow = false
      void send(sender.data as Record<string, unknown>)
    }
    model.onCompleting.add(onCompleting)
    return () => model.onCompleting.remove(onCompleting)
  }, [model, slug, clientId, segments, invitation, lang])

  const errorTitle = lang === 'cy' ? 'Mae problem' : 'There is a problem'
  return (
    <div className="survey-js-host">
      <h1 className="sr-only">{title}</h1>
      {problems.length > 0 ? (
        <div className="error-summary" role="alert">
          <h2>{errorTitle}</h2>
          <ul>
            {problems.map((p) => (
              <li key={p.question + p.message}>{p.message}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <p className="sr-only" role="status" aria-live="polite">
        {status === 'sending' ? (lang === 'cy' ? 'Yn anfon…' : 'Sending your answers…') : ''}
      </p>
      <Survey model={model} />
      {resumeUrl ? (
        <p className="small" data-testid="resume-note">
          {lang === 'cy' ? 'Mae eich atebion yn cael eu cadw. I orffen yn nes ymlaen, defnyddiwch y ddolen hon: ' : 'Your answers are saved as you go. To finish later, use this link: '}
          <a href={resumeUrl} data-testid="resume-link">
            {resumeUrl}
          </a>
        </p>
      ) : null}
    </div>
  )
}
