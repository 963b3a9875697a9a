import { CartesianGrid, LabelList, ReferenceLine, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts'

export interface QuadrantPoint {
  label: string
  /** importance: relative weight, % of R² */
  importance: number
  /** performance: % satisfied (0–1) */
  performance: number | null
  quadrant: 'priority' | 'maintain' | 'secondary' | 'low_priority'
  shapley: number
}

const QUADRANT_TEXT: Record<QuadrantPoint['quadrant'], string> = {
  priority: 'Priority: important, below-average performance',
  maintain: 'Maintain: important, performing well',
  secondary: 'Secondary: less important, performing well',
  low_priority: 'Lower priority: less important, below-average performance',
}

/** Importance (relative weight) against performance (% satisfied), split at the means, with a table. */
export function QuadrantChart({ points }: { points: QuadrantPoint[] }) {
  const data = points.filter((p) => p.performance !== null).map((p) => ({ label: p.label, x: p.importance, y: p.performance! * 100 }))
  const meanX = data.length ? data.reduce((a, d) => a + d.x, 0) / data.length : 0
  const meanY = data.length ? data.reduce((a, d) => a + d.y, 0) / data.length : 0
  return (
    <figure className="chart-with-table" data-testid="key-driver-chart">
      <figcaption>Importance versus performance of the key drivers</figcaption>
      <div aria-hidden="true" className="chart">
        <ScatterChart accessibilityLayer={false} width={520} height={340} margin={{ left: 8, right: 40, top: 16, bottom: 16 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" dataKey="x" name="Importance" unit="%" label={{ value: 'Importance (relative weight, % of R²)', position: 'insideBottom', offset: -8 }} />
          <YAxis type="number" dataKey="y" name="Performance" unit="%" domain={['auto', 'auto']} />
          <Tooltip />
          <ReferenceLine x={meanX} stroke="#505a5f" strokeDasharray="4 4" />
          <ReferenceLine y={meanY} stroke="#505a5f" strokeDasharray="4 4" />
          <Scatter data={data} fill="#1d70b8" isAnimationActive={false}>
            <LabelList dataKey="label" position="right" />
          </Scatter>
        </ScatterChart>
      </div>
      <table className="data small">
        <caption>Key drivers: importance and performance</caption>
        <thead>
          <tr>
            <th scope="col">Driver</th>
            <th scope="col" className="num">Relative weight</th>
            <th scope="col" className="num">Shapley share</th>
            <th scope="col" className="num">% satisfied</th>
            <th scope="col">Quadrant</th>
          </tr>
        </thead>
        <tbody>
          {[...points].sort((a, b) => b.importance - a.importance).map((p) => (
            <tr key={p.label}>
              <th scope="row">{p.label}</th>
              <td className="num">{p.importance.toFixed(1)}%</td>
              <td className="num">{p.shapley.toFixed(1)}%</td>
              <td className="num">{p.performance === null ? '–' : `${(p.performance * 100).toFixed(0)}%`}</td>
              <td>{QUADRANT_TEXT[p.quadrant]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
