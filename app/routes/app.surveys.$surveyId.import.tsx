import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { useRef, useState, type FormEvent } from 'react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { handleImportForm, loadImportPage, type ImportResult } from './app.surveys.$surveyId.import.server.ts'
import { idParam } from '#app/utils/params.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Import responses into ${data.survey.title} – CSE Insight` : 'Import – CSE Insight' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadImportPage(request, idParam(params, 'surveyId', 'Survey'))
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleImportForm(request, idParam(params, 'surveyId', 'Survey'))
}

const PHASE_LABEL: Record<string, string> = {
  uploading: 'Uploading',
  reading: 'Reading the file',
  validating: 'Checking every row',
  writing: 'Saving responses',
  done: 'Finished',
}

function Result({ result }: { result: ImportResult }) {
  if ('error' in result) {
    return (
      <div className="error-summary" role="alert">
        <h2>The file was not imported</h2>
        <p>{result.error}</p>
      </div>
    )
  }
  const report = result.report
  if (report.ok) {
    return (
      <div className="panel-confirm" role="status" data-testid="import-done">
        <h2>Imported {report.inserted.toLocaleString('en-GB')} responses</h2>
        <p>
          Waves: {report.waves.join(', ')}.
          {report.skipped > 0
            ? ` ${report.skipped.toLocaleString('en-GB')} rows were already imported before and were skipped.`
            : null}
        </p>
      </div>
    )
  }
  return (
    <div className="error-summary" role="alert" data-testid="import-problems">
      <h2>Nothing was imported: the file has {report.problems.length.toLocaleString('en-GB')} problems</h2>
      <p>Correct these rows and upload the whole file again.</p>
      <table className="data">
        <caption>Problems by row and column</caption>
        <thead>
          <tr>
            <th scope="col">Row</th>
            <th scope="col">Column</th>
            <th scope="col">Problem</th>
          </tr>
        </thead>
        <tbody>
          {report.problems.map((p, i) => (
            <tr key={i}>
              <td>{p.row === 0 ? 'file' : p.row}</td>
              <td>{p.column}</td>
              <td>{p.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export default function ImportPage() {
  const data = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const [progress, setProgress] = useState<{ phase: string; done: number; total: number } | null>(null)
  const [result, setResult] = useState<ImportResult | null>(null)
  const busy = useRef(false)

  // With JavaScript: send the same form by XHR to the streaming endpoint, for a progress bar over the upload
  // and the import. Without it, the form posts normally and the page shows the report when done.
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    if (busy.current) return
    busy.current = true
    setResult(null)
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `/app/surveys/${data.survey.id}/import/stream`)
    xhr.upload.onprogress = (e) =>
      setProgress({ phase: 'uploading', done: e.loaded, total: e.lengthComputable ? e.total : e.loaded })
    let seen = 0
    const readLines = () => {
      const text = xhr.responseText
      const end = text.lastIndexOf('\n')
      if (end < seen) return
      for (const line of text.slice(seen, end).split('\n')) {
        if (!line.trim()) continue
        const message = JSON.parse(line) as {
          phase?: string
          done?: number
          total?: number
          result?: ImportResult
        }
        if (message.result) setResult(message.result)
        else if (message.phase)
          setProgress({ phase: message.phase, done: message.done ?? 0, total: message.total ?? 0 })
      }
      seen = end + 1
    }
    xhr.onprogress = readLines
    xhr.onload = () => {
      readLines()
      busy.current = false
    }
    xhr.onerror = () => {
      setResult({ error: 'The upload was interrupted. Nothing was imported; try again.' })
      busy.current = false
    }
    xhr.send(new FormData(event.currentTarget))
  }

  const shown = result ?? actionData ?? null
  return (
    <>
      <h1>Import responses into “{data.survey.title}”</h1>
      <p>
        Bring in answers from paper forms, telephone interviews or an earlier tool. Every row is checked
        exactly as a web answer is; if any row has a problem, nothing is imported and you get a list of every
        problem by row and column.
      </p>
      <h2>The file</h2>
      {data.published ? (
        <>
          <p>
            Start from the template: it has a header row with every column the import accepts. Fill in one row
            per respondent, keep it as CSV (UTF-8, comma-separated) and upload it. Each column accepts only
            the codes listed below; the same list is in the answer codes file, to keep open beside the
            template.
          </p>
          <ul>
            <li>
              <a
                href={`/app/surveys/${data.survey.id}/import/template`}
                download
                data-testid="import-template"
              >
                Download the CSV template
              </a>
            </li>
            <li>
              <a href={`/app/surveys/${data.survey.id}/import/template?part=codes`} download>
                Download the answer codes (CSV)
              </a>
            </li>
          </ul>
        </>
      ) : (
        <p>Publish the survey first: the template and the answer codes come from its published questions.</p>
      )}
      <ul>
        <li>Leave a cell empty for no answer; for tick-box questions separate codes with “;”.</li>
        <li>
          You may add a <code>wave</code> column (otherwise every row is wave {data.survey.wave}). With an id
          in <code>respondent_id</code>, importing the same file again adds nothing.
        </li>
      </ul>
      {data.columns.length > 0 ? (
        <table className="data" data-testid="import-columns">
          <caption>Columns and the answers each one accepts</caption>
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Question</th>
              <th scope="col">What to enter</th>
              <th scope="col">Allowed codes</th>
            </tr>
          </thead>
          <tbody>
            {data.columns.map((c) => (
              <tr key={c.column}>
                <th scope="row">
                  <code>{c.column}</code>
                </th>
                <td>{c.title}</td>
                <td>{c.rule}</td>
                <td>
                  {c.codes.length > 0 ? (
                    <ul className="codes">
                      {c.codes.map((code) => (
                        <li key={String(code.code)}>
                          <code>{code.code}</code>
                          {code.meaning && code.meaning !== String(code.code) ? ` ${code.meaning}` : null}
                        </li>
                      ))}
                    </ul>
                  ) : (
                    'Any'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form method="post" encType="multipart/form-data" onSubmit={onSubmit}>
        <div className="field">
          <label htmlFor="csv">Responses file (CSV)</label>
          <input id="csv" name="csv" type="file" accept=".csv,text/csv" required />
        </div>
        <div className="field">
          <label htmlFor="config">Analysis configuration (optional, JSON)</label>
          <p className="hint" id="config-hint">
            Names the id and wave columns if they are not called respondent_id and wave.
          </p>
          <input
            id="config"
            name="config"
            type="file"
            accept=".json,application/json"
            aria-describedby="config-hint"
          />
        </div>
        <button type="submit" className="button" disabled={!data.published}>
          Import
        </button>
      </form>
      {progress && !result ? (
        <div className="field" data-testid="import-progress">
          <label htmlFor="import-progress">{PHASE_LABEL[progress.phase] ?? progress.phase}</label>
          <progress id="import-progress" max={progress.total || 1} value={progress.done}>
            {progress.total ? Math.round((progress.done / progress.total) * 100) : 0}%
          </progress>
        </div>
      ) : null}
      {shown ? <Result result={shown} /> : null}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
