import { useState, type FormEvent } from 'react'
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { loadExportsPage } from './app.surveys.$surveyId.exports.server.ts'
import { idParam } from '#app/utils/params.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Exports and evidence pack: ${data.survey.title} – CSE Insight` : 'Exports – CSE Insight' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadExportsPage(request, idParam(params, 'surveyId', 'Survey'))
}

type Progress =
  | { state: 'idle' }
  | { state: 'running'; rows: number; total: number }
  | { state: 'done'; rows: number }
  | { state: 'failed'; message: string }

const LF = 10

/**
 * Downloads the microdata with a progress bar: the CSV streams from the server and the rows are counted as
 * they arrive. Without JavaScript the same form posts normally and the browser downloads the file itself.
 */
async function downloadWithProgress(form: HTMLFormElement, onProgress: (p: Progress) => void): Promise<void> {
  const response = await fetch(form.action, {
    method: 'POST',
    body: new FormData(form),
    credentials: 'same-origin',
  })
  if (!response.ok || !response.body)
    throw new Error((await response.text()) || `The export failed (${response.status}).`)
  const total = Number(response.headers.get('X-Export-Rows') ?? '0')
  const name =
    /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? 'microdata.csv'
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let lines = 0
  let lastReport = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    for (let i = 0; i < value.length; i++) if (value[i] === LF) lines++
    const now = Date.now()
    if (now - lastReport > 150) {
      lastReport = now
      // the first line is the header; a line break inside free text can overcount slightly, so cap at total
      onProgress({ state: 'running', rows: Math.min(Math.max(lines - 1, 0), total || Infinity), total })
    }
  }
  const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: 'text/csv' }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  onProgress({ state: 'done', rows: Math.max(lines - 1, 0) })
}

function shortHash(hash: string) {
  return `${hash.slice(0, 12)}…${hash.slice(-6)}`
}

export default function ExportsPage() {
  const data = useLoaderData<typeof loader>()
  const [searchParams] = useSearchParams()
  const navigation = useNavigation()
  const [progress, setProgress] = useState<Progress>({ state: 'idle' })
  const base = `/app/surveys/${data.survey.id}/exports`
  const creating = navigation.state !== 'idle' && navigation.formAction === `${base}/packs`
  const created = searchParams.get('created')

  function onMicrodataSubmit(event: FormEvent<HTMLFormElement>) {
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null
    if (submitter?.value !== 'microdata' || typeof ReadableStream === 'undefined') return
    event.preventDefault()
    const form = event.currentTarget
    // The clicked button's name/value is not in FormData(form), so carry it in a hidden field.
    const kind = form.querySelector<HTMLInputElement>('input[name="kind"]')
    if (kind) kind.value = 'microdata'
    setProgress({ state: 'running', rows: 0, total: data.responses })
    downloadWithProgress(form, setProgress)
      .catch((error: unknown) =>
        setProgress({
          state: 'failed',
          message: error instanceof Error ? error.message : 'The export failed.',
        }),
      )
      .finally(() => {
        if (kind) kind.value = ''
      })
  }

  return (
    <>
      <p className="small">
        <Link to={`/app/surveys/${data.survey.id}`}>← {data.survey.title}</Link>
      </p>
      <h1>Exports and CSE evidence pack</h1>
      <p>
        “{data.survey.title}”, wave {data.survey.wave}: {data.responses.toLocaleString('en-GB')} responses.
        Every export is recorded in the audit log (who, when, what).
      </p>
      {!data.survey.published ? (
        <p className="error-message">Publish the survey before exporting: a draft has no results yet.</p>
      ) : null}

      <section aria-labelledby="pack-heading">
        <h2 id="pack-heading">CSE evidence pack</h2>
        <p>
          One ZIP file for the assessor: the PDF evidence pack, the printable report, the methods note (1.3.1), every table as XLSX
          and CSV, the charts as SVG and PNG, and an R script that recomputes the headline figures. Each pack
          is frozen when it is made, with its date and a SHA-256 fingerprint, so you can show exactly what was
          evidenced.
        </p>
        <Form method="post" action={`${base}/packs`}>
          <button type="submit" disabled={creating || !data.survey.published}>
            {creating ? 'Creating the evidence pack…' : 'Create evidence pack'}
          </button>
        </Form>
        <div id="packs">
          {created ? (
            <p role="status" className="success-message">
              A new evidence pack was created. It is at the top of the list below.
            </p>
          ) : null}
          {data.packs.length === 0 ? (
            <p>No evidence pack has been made for this survey yet.</p>
          ) : (
            <table>
              <caption>Evidence packs (newest first)</caption>
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">By</th>
                  <th scope="col">SHA-256 fingerprint</th>
                  <th scope="col">Size</th>
                  <th scope="col">Download</th>
                </tr>
              </thead>
              <tbody>
                {data.packs.map((p) => (
                  <tr key={p.id} data-testid="evidence-pack-row">
                    <th scope="row">
                      {new Date(p.createdAt).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC
                    </th>
                    <td>{p.createdByName ?? '–'}</td>
                    <td>
                      <code title={p.contentHash} data-hash={p.contentHash}>
                        {shortHash(p.contentHash)}
                      </code>
                    </td>
                    <td>{(p.sizeBytes / 1024).toFixed(0)} KB</td>
                    <td>
                      <a href={`${base}/packs/${p.id}`} download>
                        Download pack<span className="visually-hidden"> created {p.createdAt}</span>
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </section>

      <section aria-labelledby="pdf-heading">
        <h2 id="pdf-heading">Evidence pack as a PDF</h2>
        <form method="post" action={`${base}/download`}>
          <p>
            One PDF for the assessor: the summary, a map from each CSE element to the pages that evidence it,
            satisfaction, key drivers, trends and targets, the actions taken (“You said, we did”), satisfaction
            by customer group and the methods note. The evidence pack ZIP holds the same PDF.
          </p>
          <button type="submit" name="kind" value="pdf" disabled={!data.survey.published}>
            Download the evidence pack (PDF)
          </button>
        </form>
      </section>

      <section aria-labelledby="report-heading">
        <h2 id="report-heading">Report and methods note</h2>
        <form method="post" action={`${base}/download`} target="_blank">
          <p>The printable report opens in a new tab; use Print and “Save as PDF” for a PDF.</p>
          <button type="submit" name="kind" value="report">
            Open the printable report
          </button>{' '}
          <button type="submit" name="kind" value="methods-note">
            Download the methods note (Markdown)
          </button>
        </form>
      </section>

      <section aria-labelledby="tables-heading">
        <h2 id="tables-heading">Tables</h2>
        {data.tables.length === 0 ? (
          <p>{data.tablesUnavailable ?? 'There are no tables to export for this survey yet.'}</p>
        ) : (
          <form method="post" action={`${base}/download`}>
            <p>
              <button type="submit" name="kind" value="tables-xlsx">
                Download all tables (XLSX)
              </button>
            </p>
            <p>
              <label htmlFor="table">Table as CSV</label>{' '}
              <select id="table" name="table" defaultValue={data.tables[0]?.id}>
                {data.tables.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.title}
                  </option>
                ))}
              </select>{' '}
              <input type="checkbox" id="table-bom" name="bom" defaultChecked />{' '}
              <label htmlFor="table-bom">For Excel (byte-order mark)</label>{' '}
              <button type="submit" name="kind" value="table-csv">
                Download CSV
              </button>
            </p>
          </form>
        )}
      </section>

      {data.canExportMicrodata ? (
        <section aria-labelledby="microdata-heading">
          <h2 id="microdata-heading">Response-level data (microdata)</h2>
          <p>
            One row per response with its weight, a codebook of every column, and an R script (survey package)
            that recomputes the headline table from them. This is personal data: keep it inside your
            organisation.
          </p>
          <form method="post" action={`${base}/download`} onSubmit={onMicrodataSubmit}>
            <input type="hidden" name="kind" value="" />
            <fieldset>
              <legend>What to include</legend>
              <p>
                <input type="checkbox" id="freeText" name="freeText" />{' '}
                <label htmlFor="freeText">Free-text comments (can identify people)</label>
              </p>
              <p>
                <input type="checkbox" id="equality" name="equality" defaultChecked />{' '}
                <label htmlFor="equality">
                  Equality-monitoring answers (special-category data; needed to re-rake in R)
                </label>
              </p>
              <p>
                <input type="checkbox" id="microdata-bom" name="bom" />{' '}
                <label htmlFor="microdata-bom">For Excel (byte-order mark)</label>
              </p>
            </fieldset>
            <p>
              <button type="submit" name="kind" value="microdata">
                Download microdata (CSV)
              </button>{' '}
              <button type="submit" name="kind" value="codebook">
                Download codebook
              </button>{' '}
              <button type="submit" name="kind" value="r-script">
                Download R script
              </button>
            </p>
          </form>
          <div aria-live="polite" data-testid="microdata-progress">
            {progress.state === 'running' ? (
              <p>
                <label htmlFor="microdata-progress-bar">Exporting responses</label>{' '}
                <progress
                  id="microdata-progress-bar"
                  max={progress.total || undefined}
                  value={progress.rows}
                />{' '}
                {progress.rows.toLocaleString('en-GB')} of {progress.total.toLocaleString('en-GB')} rows
              </p>
            ) : progress.state === 'done' ? (
              <p role="status">Done: {progress.rows.toLocaleString('en-GB')} rows downloaded.</p>
            ) : progress.state === 'failed' ? (
              <p className="error-message" role="alert">
                {progress.message}
              </p>
            ) : null}
          </div>
        </section>
      ) : null}

      {data.audit ? (
        <section aria-labelledby="audit-heading">
          <h2 id="audit-heading">Export history</h2>
          {data.audit.length === 0 ? (
            <p>Nothing has been exported from this survey yet.</p>
          ) : (
            <table>
              <caption>Latest exports of this survey (visible to admins)</caption>
              <thead>
                <tr>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                </tr>
              </thead>
              <tbody>
                {data.audit.map((a) => (
                  <tr key={a.id}>
                    <th scope="row">{new Date(a.at).toLocaleString('en-GB', { timeZone: 'UTC' })}</th>
                    <td>{a.userName ?? '–'}</td>
                    <td>{a.action.replace(/^export\./, '').replace(/[._-]/g, ' ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : null}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
