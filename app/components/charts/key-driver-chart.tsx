/*
 * The key drivers as a horizontal chart: one row per driver, its name as wrapping text (so names never overlap,
 * at any width), a bar for its importance and its % satisfied, with the report's quadrant as a word. The same
 * figures are in the table below it. Replaces the scatter of importance against performance, whose point labels
 * collided when two drivers sat close together (issue 14, item 6).
 */

export interface KeyDriverPoint {
  label: string
  /** importance: Johnson's relative weight, % of R² */
  importance: number
  /** performance: % satisfied (0–1), null when the cell is hidden */
  performance: number | null
  quadrant: 'priority' | 'maintain' | 'secondary' | 'low_priority'
}

export const QUADRANT_WORDS: Record<KeyDriverPoint['quadrant'], { tag: string; text: string }> = {
  priority: {
    tag: 'Priority',
    text: 'matters a lot, and customers are less satisfied with it than with the others: improve first',
  },
  maintain: { tag: 'Maintain', text: 'matters a lot, and customers are satisfied with it: keep it up' },
  secondary: { tag: 'Secondary', text: 'matters less, and customers are satisfied with it' },
  low_priority: { tag: 'Lower priority', text: 'matters less, and customers are less satisfied with it' },
}

const pct0 = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(0)}%`)

export function KeyDriverChart({ points }: { points: KeyDriverPoint[] }) {
  // In the report's order (most important first: analysis/report-key-drivers.ts); bars share one scale.
  const ranked = points
  const widest = Math.max(1, ...ranked.map((p) => p.importance))
  return (
    <figure className="chart-with-table" data-testid="key-driver-chart">
      <figcaption>What matters most to customers’ overall satisfaction</figcaption>
      <ol className="driver-bars" aria-hidden="true">
        {ranked.map((p) => (
          <li key={p.label} data-quadrant={p.quadrant}>
            <span className="driver-label" data-testid="driver-label">
              {p.label}
            </span>
            <span className="driver-bar-track">
              <span className="driver-bar-area">
                <span className="driver-bar" style={{ width: `${(p.importance / widest) * 100}%` }} />
              </span>
              <span className="driver-value">{p.importance.toFixed(0)}%</span>
            </span>
            <span className="driver-performance">{pct0(p.performance)} satisfied</span>
            <span className={`tag${p.quadrant === 'priority' ? ' warn' : ''}`}>
              {QUADRANT_WORDS[p.quadrant].tag}
            </span>
          </li>
        ))}
      </ol>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Key drivers: data">
        <table className="data small">
          <caption>
            Key drivers: how much each matters (importance) and how satisfied customers are with it
          </caption>
          <thead>
            <tr>
              <th scope="col">Driver</th>
              <th scope="col" className="num">
                Importance
              </th>
              <th scope="col" className="num">
                % satisfied
              </th>
              <th scope="col">What it means</th>
            </tr>
          </thead>
          <tbody>
            {ranked.map((p) => (
              <tr key={p.label}>
                <th scope="row">{p.label}</th>
                <td className="num">{p.importance.toFixed(1)}%</td>
                <td className="num">{pct0(p.performance)}</td>
                <td>
                  <strong>{QUADRANT_WORDS[p.quadrant].tag}</strong>: {QUADRANT_WORDS[p.quadrant].text}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  )
}
