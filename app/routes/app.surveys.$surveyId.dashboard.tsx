import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { ActionEvidenceText } from '#app/components/action-evidence.tsx'
import { ExecutiveSummary } from '#app/components/executive-summary.tsx'
import { IntervalBarChart } from '#app/components/charts/interval-bar-chart.tsx'
import { Representativeness } from '#app/components/dashboard/representativeness.tsx'
import { HeadlineFigures, SatisfactionMethods, SatisfactionTable } from '#app/components/dashboard/satisfaction-table.tsx'
import { Trends } from '#app/components/dashboard/trends.tsx'
import { KeyDrivers, WeightingSummary } from '#app/components/dashboard/weighting-and-drivers.tsx'
import { loadDashboardPage } from './app.surveys.$surveyId.dashboard.server.ts'
import { idParam } from '#app/utils/params.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Dashboard: ${data?.dashboard.survey.title ?? 'survey'} – CSE Insight` },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadDashboardPage(request, idParam(params, 'surveyId', 'Survey'))
}

const num = (x: number) => x.toLocaleString('en-GB')

export default function DashboardPage() {
  const { dashboard: d, query, canEditSettings, actions } = useLoaderData<typeof loader>()
  const bySegment = d.meta.segments.map((s) => ({
    ...s,
    rows: d.rows.filter((r) => r.segment === s.name),
    test: d.segmentTests.find((t) => t.segment === s.name),
  }))
  const overallRating = d.meta.overall
  return (
    <>
      <p className="small">
        <Link to="/app">Surveys</Link> › {d.survey.title}
      </p>
      <h1>Insight dashboard: {d.survey.title}</h1>
      <p>
        {num(d.meta.respondents)} responses in this view
        {d.meta.waves.length > 0 ? ` · waves ${d.meta.waves.join(', ')}` : ''}.{' '}
        <Link to={`/app/surveys/${d.survey.id}/comments`}>Read the comments</Link>
        {' · '}
        <Link to={`/app/surveys/${d.survey.id}/themes`}>Comment themes</Link>
        {canEditSettings ? (
          <>
            {' · '}
            <Link to="/app/settings/population">Population profiles</Link> ·{' '}
            <Link to={`/app/settings/targets?survey=${d.survey.id}`}>Targets</Link>
          </>
        ) : null}
      </p>

      <ExecutiveSummary sentences={d.summary} />

      <Form method="get" className="filters" aria-label="Dashboard settings and filters">
        <fieldset>
          <legend>Weighting and confidence</legend>
          <label>
            Figures{' '}
            <select name="weighted" defaultValue={d.options.weighted ? '1' : '0'}>
              <option value="1">Weighted to the population profile</option>
              <option value="0">Unweighted</option>
            </select>
          </label>{' '}
          <label>
            Confidence level{' '}
            <select name="confidence" defaultValue={String(query.confidence)}>
              <option value="0.9">90%</option>
              <option value="0.95">95%</option>
              <option value="0.99">99%</option>
            </select>
          </label>
        </fieldset>
        <fieldset>
          <legend>Filters</legend>
          <label>
            Wave{' '}
            <select name="wave" defaultValue={query.waves[0] ?? ''}>
              <option value="">All waves</option>
              {d.fieldwork.map((w) => (
                <option key={w.wave} value={w.wave}>
                  {w.wave}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            From <input type="date" name="from" defaultValue={query.from} />
          </label>{' '}
          <label>
            To <input type="date" name="to" defaultValue={query.to} />
          </label>
          {d.segmentChoices.map((s) => (
            <label key={s.name}>
              {' '}
              {s.label}{' '}
              <select name={`seg.${s.name}`} defaultValue={query.segments[s.name]?.[0] ?? ''}>
                <option value="">All</option>
                {s.groups.map((g) => (
                  <option key={g.value} value={g.value}>
                    {g.label}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </fieldset>
        <button type="submit">Apply</button> <Link to={`/app/surveys/${d.survey.id}/dashboard`}>Reset</Link>
      </Form>

      {d.status === 'withheld' ? (
        <p className="notice warn" role="status" data-testid="withheld">
          {d.withheldReason}
        </p>
      ) : null}
      {d.weightingProblem ? (
        <p className="notice warn" role="status">
          {d.weightingProblem}
        </p>
      ) : null}
      <WeightingSummary d={d} />

      <section aria-labelledby="table-heading" id="dashboard">
        <h2 id="table-heading">Satisfaction by customer group</h2>
        <HeadlineFigures d={d} />
        <SatisfactionTable d={d} segments={bySegment} />
        {bySegment.slice(0, 2).map((s) => (
          <IntervalBarChart
            key={s.name}
            title={`Overall satisfaction by ${s.label.toLowerCase()}`}
            confidence={d.options.confidence}
            bars={s.rows.map((row) => {
              const c = row.cells[overallRating]
              return {
                label: row.groupLabel,
                p: c?.p ?? null,
                lower: c?.lower ?? null,
                upper: c?.upper ?? null,
                n: c?.n ?? null,
              }
            })}
          />
        ))}
        <SatisfactionMethods d={d} segments={bySegment} />
      </section>

      <Representativeness d={d} />
      <KeyDrivers d={d} />
      <Trends d={d} />
      {actions.length > 0 ? (
        <section aria-labelledby="actions-heading" id="actions" data-testid="dashboard-actions">
          <h2 id="actions-heading">Completed actions: before and after (1.3.5)</h2>
          <ul>
            {actions.map((a) => (
              <li key={a.id}>
                <strong>{a.title}</strong>
                <ActionEvidenceText evidence={a.evidence} />
              </li>
            ))}
          </ul>
          <p className="small">
            <Link to={`/app/surveys/${d.survey.id}/actions`}>All actions</Link>
          </p>
        </section>
      ) : null}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
