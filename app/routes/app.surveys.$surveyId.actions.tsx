import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { ActionEvidenceText } from '#app/components/action-evidence.tsx'
import { ACTION_STATUS_LABELS } from '#app/components/action-evidence-text.ts'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { idParam } from '#app/utils/params.ts'
import { handleActionForm, loadActionsPage, type ActionsPageData } from './app.surveys.$surveyId.actions.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Actions: ${data?.survey.title ?? 'survey'} – CSE Insight` },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadActionsPage(request, idParam(params, 'surveyId', 'Survey'))
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleActionForm(request, idParam(params, 'surveyId', 'Survey'))
}

const STATUS = ACTION_STATUS_LABELS

type Row = ActionsPageData['actions'][number]

function ActionForm({ data, editing, errors }: { data: ActionsPageData; editing: Row | null; errors: Record<string, string> }) {
  const p = editing ? `edit-${editing.id}` : 'new'
  const err = (name: string) =>
    errors[name] ? (
      <p id={`${p}-${name}-error`} className="error">
        {errors[name]}
      </p>
    ) : null
  const described = (name: string) => (errors[name] ? `${p}-${name}-error` : undefined)
  return (
    <Form method="post" aria-labelledby={`${p}-heading`} key={editing?.id ?? 'new'}>
      <h2 id={`${p}-heading`}>{editing ? `Edit: ${editing.title}` : 'Record an action'}</h2>
      <input type="hidden" name="intent" value={editing ? 'update' : 'create'} />
      {editing ? <input type="hidden" name="actionId" value={editing.id} /> : null}
      <div className="field">
        <label htmlFor={`${p}-title`}>What we will do (for staff)</label>
        <input id={`${p}-title`} name="title" defaultValue={editing?.title ?? ''} required aria-describedby={described('title')} />
        {err('title')}
      </div>
      <div className="field">
        <label htmlFor={`${p}-finding`}>The finding it answers</label>
        <select id={`${p}-finding`} name="finding" defaultValue={editing?.findingValue ?? ''} aria-describedby={described('finding')}>
          <optgroup label="Measures">
            {data.choices.measures.map((m) => (
              <option key={m.name} value={`measure|${m.name}`}>
                {m.label}
              </option>
            ))}
          </optgroup>
          <optgroup label="Key drivers">
            {data.choices.drivers.map((m) => (
              <option key={m.name} value={`driver|${m.name}`}>
                {m.label}
              </option>
            ))}
          </optgroup>
          <optgroup label="Customer groups">
            {data.choices.groups.map((g) => (
              <option key={`${g.segment}|${g.value}`} value={`group|${g.segment}|${g.value}`}>
                {g.segmentLabel}: {g.label}
              </option>
            ))}
          </optgroup>
          {data.choices.themes.length > 0 ? (
            <optgroup label="Comment themes">
              {data.choices.themes.map((t) => (
                <option key={t.id} value={`theme|${t.id}`}>
                  {t.name}
                </option>
              ))}
            </optgroup>
          ) : null}
        </select>
        {data.choices.themes.length === 0 ? (
          <p className="small">
            To record an action against a comment theme, add it to the survey’s{' '}
            <Link to={`/app/surveys/${data.survey.id}/themes`}>comment themes</Link> first.
          </p>
        ) : null}
        {err('finding')}
      </div>
      <div className="field">
        <label htmlFor={`${p}-measure`}>Measure to check before and after (optional)</label>
        <select id={`${p}-measure`} name="measure" defaultValue={editing?.measure ?? ''} aria-describedby={described('measure')}>
          <option value="">The finding’s own measure (overall for a group)</option>
          {data.choices.measures.map((m) => (
            <option key={m.name} value={m.name}>
              {m.label}
            </option>
          ))}
        </select>
        {err('measure')}
      </div>
      <div className="field">
        <label htmlFor={`${p}-owner`}>Owner</label>
        <input id={`${p}-owner`} name="owner" defaultValue={editing?.owner ?? ''} required aria-describedby={described('owner')} />
        {err('owner')}
      </div>
      <div className="field">
        <label htmlFor={`${p}-due`}>Due date</label>
        <input id={`${p}-due`} type="date" name="dueDate" defaultValue={editing?.dueDate ?? ''} aria-describedby={described('dueDate')} />
        {err('dueDate')}
      </div>
      <div className="field">
        <label htmlFor={`${p}-status`}>Status</label>
        <select id={`${p}-status`} name="status" defaultValue={editing?.status ?? 'planned'}>
          {Object.entries(STATUS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${p}-before`}>Wave before the action</label>
        <select id={`${p}-before`} name="waveBefore" defaultValue={editing?.waveBefore ?? ''}>
          <option value="">Not chosen</option>
          {data.waves.map((w) => (
            <option key={w} value={w}>
              {w}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${p}-after`}>Wave after the action</label>
        <select id={`${p}-after`} name="waveAfter" defaultValue={editing?.waveAfter ?? ''} aria-describedby={described('waveAfter')}>
          <option value="">Not chosen</option>
          {data.waves.map((w) => (
            <option key={w} value={w}>
              {w}
            </option>
          ))}
        </select>
        {err('waveAfter')}
      </div>
      <div className="field">
        <label htmlFor={`${p}-wording`}>Public wording (“You said…, we did…”)</label>
        <textarea id={`${p}-wording`} name="publicWording" rows={3} defaultValue={editing?.publicWording ?? ''} aria-describedby={described('publicWording')} />
        {err('publicWording')}
      </div>
      <div className="field">
        <label htmlFor={`${p}-wording-cy`}>Public wording in Welsh</label>
        <textarea id={`${p}-wording-cy`} name="publicWordingCy" lang="cy" rows={3} defaultValue={editing?.publicWordingCy ?? ''} />
      </div>
      <div className="field">
        <input id={`${p}-public`} type="checkbox" name="showPublicly" defaultChecked={editing?.showPublicly ?? false} />{' '}
        <label htmlFor={`${p}-public`}>Show on the public results page once completed</label>
      </div>
      <button type="submit">{editing ? 'Save changes' : 'Record the action'}</button>
    </Form>
  )
}

export default function ActionsPage() {
  const data = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [search] = useSearchParams()
  const errors = result && !result.ok ? result.errors : {}
  const editing = data.actions.find((a) => a.id === search.get('edit')) ?? null
  return (
    <>
      <p className="small">
        <Link to="/app">Surveys</Link> › <Link to={`/app/surveys/${data.survey.id}`}>{data.survey.title}</Link> › Actions
      </p>
      <h1>You said, we did: {data.survey.title}</h1>
      <p>
        Record what you change because of a finding. For a completed action, its measure is compared between the
        wave before and the wave after it, with the change tested (CSE 1.3.5). Completed actions marked “show
        publicly” appear on the public results page from its next publication (Publish results).
      </p>
      {search.get('saved') ? (
        <p className="notice success" role="status">
          Saved.
        </p>
      ) : null}
      {errors.form ? (
        <p className="notice warn" role="alert">
          {errors.form}
        </p>
      ) : null}
      {data.actions.length === 0 ? (
        <p>No actions yet.</p>
      ) : (
        <table className="data" data-testid="actions">
          <caption className="sr-only">Actions of this survey</caption>
          <thead>
            <tr>
              <th scope="col">Action</th>
              <th scope="col">Finding</th>
              <th scope="col">Owner</th>
              <th scope="col">Due</th>
              <th scope="col">Status</th>
              <th scope="col">Before and after</th>
            </tr>
          </thead>
          <tbody>
            {data.actions.map((a) => (
              <tr key={a.id} data-action-id={a.id}>
                <th scope="row">
                  {a.title}
                  {a.showPublicly ? <span className="tag">public</span> : null}{' '}
                  {data.canWrite ? (
                    <Link to={`?edit=${a.id}`} className="small">
                      Edit<span className="sr-only"> {a.title}</span>
                    </Link>
                  ) : null}
                </th>
                <td>{a.finding}</td>
                <td>{a.owner}</td>
                <td>{a.dueDate ?? '–'}</td>
                <td>{STATUS[a.status]}</td>
                <td>{a.evidence ? <ActionEvidenceText evidence={a.evidence} /> : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data.canWrite ? <ActionForm data={data} editing={editing} errors={errors} /> : null}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
