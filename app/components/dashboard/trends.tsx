import { TrendChart } from '#app/components/charts/trend-chart.tsx'
import type { Dashboard } from '#app/services/dashboard.server.ts'
import { changeSentence, pValue, signed, targetSentence } from './plain-english.ts'

/*
 * Trends and targets: each measure's chart with the report's change and target verdicts in words; the test
 * behind each change (its p-value and method) is in the "How this was worked out" panel. The report calls a
 * change an increase or a decrease only when its test does (analysis/report-trends.ts).
 */
export function Trends({ d }: { d: Dashboard }) {
  const level = `${Math.round(d.options.confidence * 100)}%`
  const tested = d.trends.filter((t) => t.change)
  return (
    <section aria-labelledby="trend-heading" id="trends">
      <h2 id="trend-heading">Trends and targets</h2>
      <div className="trend-grid">
        {d.trends.map((t) => (
          <div key={t.rating} data-testid={`trend-${t.rating}`}>
            <TrendChart
              title={t.label}
              points={t.points.map((p) => ({
                wave: p.wave,
                p: p.cell.p,
                lower: p.cell.lower,
                upper: p.cell.upper,
                n: p.cell.n,
                suppressed: p.cell.status === 'suppressed',
              }))}
              target={t.target}
              confidence={d.options.confidence}
            />
            {t.change ? (
              <p className="small" data-testid={`trend-change-${t.rating}`}>
                {changeSentence(t.change)}
              </p>
            ) : null}
            {t.change && t.change.warnings.length > 0 ? (
              <p className="notice warn small" role="note">
                {t.change.warnings.join(' ')}
              </p>
            ) : null}
            {t.target !== null ? (
              <p className="small" data-testid="target-status">
                {targetSentence(t.target, t.targetVerdict, t.targetWave)}
              </p>
            ) : null}
          </div>
        ))}
      </div>
      <details className="methods" data-testid="trend-methods">
        <summary>How this was worked out: trends and targets</summary>
        <p>
          Each change is the latest wave against the previous one, in percentage points, with its 95%
          interval: a two-proportion test, or, when the figures are weighted, a design-based contrast of the
          two waves. It is called an increase or a decrease only when p is below 0.05. A target is judged on
          the {level} interval of the latest wave: met when its lower end is at or above the target, missed
          when its upper end is below it.
        </p>
        {tested.length > 0 ? (
          <ul>
            {tested.map((t) => (
              <li key={t.rating}>
                {t.label}: {signed(t.change!.differencePoints)} points (95% interval{' '}
                {signed(t.change!.lowerPoints)} to {signed(t.change!.upperPoints)}), p{' '}
                {pValue(t.change!.pValue)},{' '}
                {t.change!.method === 'design-based' ? 'design-based (weighted)' : 'two-proportion test'}
              </li>
            ))}
          </ul>
        ) : null}
      </details>
    </section>
  )
}
