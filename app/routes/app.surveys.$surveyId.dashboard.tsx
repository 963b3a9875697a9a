import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { IntervalBarChart } from '#app/components/charts/interval-bar-chart.tsx'
import { QuadrantChart } from '#app/components/charts/quadrant-chart.tsx'
import { TrendChart } from '#app/components/charts/trend-chart.tsx'
import { loadDashboardPage } from './app.surveys.$surveyId.dashboard.server.ts'
import { idParam } from '#app/utils/params.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Dashboard: ${data?.dashboard.survey.title ?? 'survey'} – CSE Insight` },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadDashboardPage(request, idParam(params, 'surveyId', 'Survey'))
}

const pct = (x: number | null | undefined, digits = 0) =>
  x === null || x === undefined ? '–' : `${(x * 100).toFixed(digits)}%`
const num = (x: number | null | undefined, digits = 0) =>
  x === null || x === undefined ? '–' : x.toLocaleString('en-GB', { maximumFractionDigits: digits })
const pValue = (p: number | null) => (p === null ? '–' : p < 0.001 ? '< 0.001' : p.toFixed(3))

type Data = ReturnType<typeof useLoaderData<typeof loader>>
type Cell = Data['dashboard']['overall']['cells'][string]

function CellView({ cell }: { cell: Cell | undefined }) {
  if (!cell || cell.suppressed) {
    return (
      <td className="num muted" data-flag="suppressed">
        <abbr
          title={
            cell?.suppression === 'secondary'
              ? 'Suppressed so that a small group cannot be worked out by subtraction'
              : 'Base under the suppression threshold'
          }
        >
          [s]
        </abbr>
      </td>
    )
  }
  return (
    <td className="num" data-flag={cell.flag} data-significance={cell.significance ?? undefined}>
      <strong>{pct(cell.p)}</strong>
      {cell.significance === 'higher' ? (
        <span
          className="sig"
          title={`Significantly higher than the rest (Holm-adjusted p ${pValue(cell.pHolm)})`}
        >
          {' '}
          ▲<span className="sr-only"> significantly higher than the rest</span>
        </span>
      ) : cell.significance === 'lower' ? (
        <span
          className="sig"
          title={`Significantly lower than the rest (Holm-adjusted p ${pValue(cell.pHolm)})`}
        >
          {' '}
          ▼<span className="sr-only"> significantly lower than the rest</span>
        </span>
      ) : null}
      <br />
      <span className="small" data-testid="interval">
        {pct(cell.lower)}–{pct(cell.upper)}
      </span>
      <br />
      <span className="small">
        n={num(cell.n)}
        {cell.ess !== null ? ` (eff. ${num(cell.ess)})` : ''}
        {cell.flag === 'low_base' ? (
          <>
            {' '}
            <span className="tag warn" data-testid="low-base">
              low base
            </span>
          </>
        ) : null}
      </span>
    </td>
  )
}

export default function DashboardPage() {
  const { dashboard: d, query, canEditSettings } = useLoaderData<typeof loader>()
  const level = `${Math.round(d.options.confidence * 100)}%`
  const bySegment = d.segments.map((s) => ({ ...s, rows: d.rows.filter((r) => r.segment === s.name) }))
  const overallRating = d.ratings.find((r) => r.isOverall)?.name ?? d.ratings[0]?.name ?? ''
  return (
    <>
      <p className="small">
        <Link to="/app">Surveys</Link> › {d.survey.title}
      </p>
      <h1>Insight dashboard: {d.survey.title}</h1>
      <p>
        {num(d.totals.responses)} responses in this view
        {d.waves.length > 0 ? ` · waves ${d.waves.map((w) => w.wave).join(', ')}` : ''}.{' '}
        <Link to={`/app/surveys/${d.survey.id}/comments`}>Read the comments</Link>
        {canEditSettings ? (
          <>
            {' · '}
            <Link to="/app/settings/population">Population profiles</Link> ·{' '}
            <Link to={`/app/settings/targets?survey=${d.survey.id}`}>Targets</Link>
          </>
        ) : null}
      </p>

      <Form method="get" className="filters" aria-label="Dashboard settings and filters">
        <fieldset>
          <legend>Weighting and confidence</legend>
          <label>
            <input type="checkbox" name="weighted" value="1" defaultChecked={query.weighted} /> Weight to the
            population profile
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
              {d.waves.map((w) => (
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
          {d.segments.map((s) => (
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

      {d.weightingProblem ? (
        <p className="notice warn" role="status">
          {d.weightingProblem}
        </p>
      ) : null}
      {d.weighting ? (
        <section aria-labelledby="weighting-heading" data-testid="weighting-summary">
          <h2 id="weighting-heading">Weighting</h2>
          <p>
            Raked to “{d.weighting.populationName}” (population {num(d.weighting.populationTotal)}) on{' '}
            {d.weighting.variables.join(' × ')}:{' '}
            {d.weighting.converged
              ? `converged in ${d.weighting.passes} passes`
              : `did not converge (${d.weighting.passes} passes)`}
            . Effective sample size <strong data-testid="ess">{num(d.weighting.ess)}</strong> of{' '}
            {num(d.totals.analysed)}; design effect{' '}
            <strong data-testid="deff">{num(d.weighting.deff, 2)}</strong>; largest/smallest weight{' '}
            {num(d.weighting.maxOverMin, 1)}.
          </p>
        </section>
      ) : null}

      <section aria-labelledby="table-heading">
        <h2 id="table-heading">Satisfaction by customer group</h2>
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="table-heading">
          <table className="data" data-testid="satisfaction-table">
            <caption>
              % satisfied with its {level} interval and unweighted base (n) for every group
              {d.options.weighted ? ', weighted' : ', unweighted'}. ▲▼: significantly different from the rest
              (Holm-adjusted). [s]: suppressed (base under {d.thresholds.suppress}). Low base: under{' '}
              {d.thresholds.lowBase}, treat with caution.
            </caption>
            <thead>
              <tr>
                <th scope="col">Group</th>
                {d.ratings.map((r) => (
                  <th scope="col" key={r.name} className="num" title={r.title}>
                    {r.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">All respondents</th>
                {d.ratings.map((r) => (
                  <CellView key={r.name} cell={d.overall.cells[r.name]} />
                ))}
              </tr>
            </tbody>
            {bySegment.map((s) => (
              <tbody key={s.name}>
                <tr>
                  <th scope="colgroup" colSpan={d.ratings.length + 1} className="group-heading">
                    {s.label}
                    <span className="small">
                      {' '}
                      · across groups: χ² p {pValue(d.segmentTests[s.name]?.pearsonP ?? null)}
                      {d.options.weighted
                        ? `, Rao-Scott p ${pValue(d.segmentTests[s.name]?.raoScottP ?? null)}`
                        : ''}
                    </span>
                  </th>
                </tr>
                {s.rows.map((row) => (
                  <tr key={row.group}>
                    <th scope="row">{row.groupLabel}</th>
                    {d.ratings.map((r) => (
                      <CellView key={r.name} cell={row.cells[r.name]} />
                    ))}
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        </div>
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
        <ul className="small">
          {d.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="rep-heading">
        <h2 id="rep-heading">Who answered: representativeness</h2>
        <table className="data" data-testid="representativeness">
          <caption>
            Each group’s share of respondents beside its share of the population. Hard-to-reach groups are
            under-represented (sample share below two-thirds of the population share) or too small to report.
          </caption>
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col">Group</th>
              <th scope="col" className="num">
                Respondents
              </th>
              <th scope="col" className="num">
                Sample share
              </th>
              <th scope="col" className="num">
                Population share
              </th>
              <th scope="col">Flag</th>
            </tr>
          </thead>
          <tbody>
            {d.representativeness.map((r) => (
              <tr key={`${r.segment}:${r.group}`} data-hard-to-reach={r.hardToReach ? 'true' : undefined}>
                <td>{r.segmentLabel}</td>
                <th scope="row">{r.groupLabel}</th>
                <td className="num">{r.unreportable ? '[s]' : num(r.n)}</td>
                <td className="num">{pct(r.sampleShare, 1)}</td>
                <td className="num">{pct(r.populationShare, 1)}</td>
                <td>
                  {r.underRepresented ? <span className="tag warn">under-represented</span> : null}
                  {r.unreportable ? <span className="tag warn">too small to report</span> : null}
                  {r.lowBase ? <span className="tag">low base</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="kd-heading">
        <h2 id="kd-heading">Key drivers</h2>
        {d.keyDrivers ? (
          <>
            <p>
              What drives overall satisfaction in wave {d.keyDrivers.wave}: {num(d.keyDrivers.nComplete)}{' '}
              respondents who answered every driver; the drivers explain {pct(d.keyDrivers.rSquared)} of the
              variation (R²). Importance is Johnson’s relative weight; the Shapley (LMG) share agrees closely.
              Prioritise drivers that are important but performing below average.
            </p>
            <QuadrantChart
              points={d.keyDrivers.drivers.map((k) => ({
                label: k.label,
                importance: k.relativeWeightPercent,
                performance: k.performance,
                quadrant: k.quadrant,
                shapley: k.shapleyPercent,
              }))}
            />
          </>
        ) : (
          <p>
            Key drivers cannot be estimated for this view
            {d.keyDriverProblem ? `: ${d.keyDriverProblem}` : '.'}
          </p>
        )}
      </section>

      <section aria-labelledby="trend-heading">
        <h2 id="trend-heading">Trends and targets</h2>
        <div className="trend-grid">
          {d.trends.map((t) => (
            <div key={t.rating} data-testid={`trend-${t.rating}`}>
              <TrendChart
                title={t.label}
                points={t.points}
                target={t.target}
                confidence={d.options.confidence}
              />
              {t.latestVsPrevious ? (
                <p className="small">
                  {t.latestVsPrevious.latest} vs {t.latestVsPrevious.previous}:{' '}
                  {t.latestVsPrevious.difference !== null && t.latestVsPrevious.difference >= 0 ? '+' : ''}
                  {pct(t.latestVsPrevious.difference, 1)} (95% CI {pct(t.latestVsPrevious.lower, 1)} to{' '}
                  {pct(t.latestVsPrevious.upper, 1)}, p {pValue(t.latestVsPrevious.pValue)}) —{' '}
                  {t.latestVsPrevious.significant ? 'a significant change' : 'not a significant change'}.
                </p>
              ) : null}
              {t.wordingChanges.length > 0 ? (
                <p className="notice warn small" role="note">
                  Wording changed between waves: {t.wordingChanges.join(' ')} Compare with care.
                </p>
              ) : null}
              {t.target !== null ? (
                <p className="small" data-testid="target-status">
                  Target {pct(t.target)}:{' '}
                  {t.targetStatus === 'met'
                    ? 'met'
                    : t.targetStatus === 'below'
                      ? 'below target'
                      : t.targetStatus === 'not_different'
                        ? 'not demonstrably different'
                        : 'not assessable'}{' '}
                  (judged on the {level} interval of the latest wave).
                </p>
              ) : null}
            </div>
          ))}
        </div>
      </section>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
