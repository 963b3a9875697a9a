import { KeyDriverChart } from '#app/components/charts/key-driver-chart.tsx'
import type { Dashboard } from '#app/services/dashboard.server.ts'
import { num, pct } from './plain-english.ts'

/*
 * The weighting note and the key drivers of the dashboard: plain English first, the technical figures (raking,
 * Kish effective sample size, design effect, Johnson's relative weights, Shapley shares, R²) in a "How this was
 * worked out" panel. Every figure is the report's (app/services/dashboard.server.ts).
 */

export function WeightingSummary({ d }: { d: Dashboard }) {
  const w = d.weighting
  if (!w) return null
  const variables = w.variables.map((v) => d.meta.segments.find((s) => s.name === v)?.label ?? v)
  return (
    <section aria-labelledby="weighting-heading" data-testid="weighting-summary">
      <h2 id="weighting-heading">Weighting</h2>
      <p>
        The figures are adjusted (weighted) so that the people who answered match the make-up of “
        {d.populationName}” by {variables.join(' and ').toLowerCase()}. Groups that answered less often count
        a little more, so the figures speak for all customers rather than only those who replied.
      </p>
      <details className="methods">
        <summary>How this was worked out: weighting</summary>
        <p>
          Raked to “{d.populationName}” (population {num(w.populationTotal)}) on {variables.join(' × ')}:{' '}
          {w.converged ? `converged in ${w.passes} passes` : `did not converge (${w.passes} passes)`}.
          Effective sample size (Kish) <strong data-testid="ess">{num(w.ess)}</strong> of{' '}
          {num(d.meta.analysed)}; design effect <strong data-testid="deff">{num(w.deff, 2)}</strong>;
          largest/smallest weight {num(w.maxOverMin, 1)}. The effective sample size is the number of
          unweighted answers that would be as precise as the weighted ones.
        </p>
      </details>
    </section>
  )
}

export function KeyDrivers({ d }: { d: Dashboard }) {
  const k = d.keyDrivers
  return (
    <section aria-labelledby="kd-heading" id="key-drivers">
      <h2 id="kd-heading">Key drivers</h2>
      {k ? (
        <>
          <p>
            Which parts of the service matter most to how satisfied customers are overall, in wave {k.wave}.
            Longer bars matter more. <strong>Priority</strong> drivers matter a lot but customers are less
            satisfied with them than with the others: improving them is most likely to raise overall
            satisfaction.
          </p>
          <KeyDriverChart
            points={k.drivers.map((x) => ({
              label: x.label,
              importance: x.relativeWeightPercent,
              performance: x.performance,
              quadrant: x.quadrant,
            }))}
          />
          <details className="methods" data-testid="key-driver-methods">
            <summary>How this was worked out: key drivers</summary>
            <p>
              {num(k.nComplete)} respondents who answered every driver; the drivers explain {pct(k.rSquared)}{' '}
              of the variation in overall satisfaction (R²). Importance is Johnson’s relative weight as a
              share of R²; the Shapley (LMG) share is given beside it and agrees closely. A driver is
              important when its weight is above the average weight, and performing well when its % satisfied
              is above the drivers’ average (on unrounded figures).
            </p>
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Key drivers: weights">
              <table className="data small">
                <caption>Relative weight and Shapley share of each driver</caption>
                <thead>
                  <tr>
                    <th scope="col">Driver</th>
                    <th scope="col" className="num">
                      Relative weight
                    </th>
                    <th scope="col" className="num">
                      Shapley share
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {k.drivers.map((x) => (
                    <tr key={x.driver}>
                      <th scope="row">{x.label}</th>
                      <td className="num">{x.relativeWeightPercent.toFixed(1)}%</td>
                      <td className="num">{x.shapleyPercent.toFixed(1)}%</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      ) : (
        <p>
          Key drivers cannot be estimated for this view
          {d.keyDriverProblem ? `: ${d.keyDriverProblem}` : '.'}
        </p>
      )}
    </section>
  )
}
