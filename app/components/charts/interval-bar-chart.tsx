import { Bar, BarChart, CartesianGrid, ErrorBar, XAxis, YAxis, Tooltip } from 'recharts'

export interface IntervalBar {
  label: string
  p: number | null
  lower: number | null
  upper: number | null
  n: number | null
}

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(0)}%`)

/** % satisfied per group as bars with interval whiskers, and the same numbers as a table beside it. */
export function IntervalBarChart({ title, bars, confidence }: { title: string; bars: IntervalBar[]; confidence: number }) {
  const data = bars
    .filter((b) => b.p !== null)
    .map((b) => ({ label: b.label, p: b.p! * 100, error: [(b.p! - (b.lower ?? b.p!)) * 100, ((b.upper ?? b.p!) - b.p!) * 100] }))
  return (
    <figure className="chart-with-table">
      <figcaption>{title}</figcaption>
      <div aria-hidden="true" className="chart">
        <BarChart accessibilityLayer={false} width={520} height={Math.max(160, 36 * data.length + 40)} data={data} layout="vertical" margin={{ left: 40, right: 24 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" domain={[0, 100]} unit="%" />
          <YAxis type="category" dataKey="label" width={140} />
          <Tooltip formatter={(v) => `${Number(v).toFixed(0)}%`} />
          <Bar dataKey="p" fill="#1d70b8" isAnimationActive={false}>
            <ErrorBar dataKey="error" width={6} strokeWidth={2} stroke="#0b0c0c" direction="x" />
          </Bar>
        </BarChart>
      </div>
      <table className="data small">
        <caption>{title}: data</caption>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col" className="num">% satisfied</th>
            <th scope="col" className="num">{Math.round(confidence * 100)}% interval</th>
            <th scope="col" className="num">n</th>
          </tr>
        </thead>
        <tbody>
          {bars.map((b) => (
            <tr key={b.label}>
              <th scope="row">{b.label}</th>
              <td className="num">{b.p === null ? 'suppressed' : pct(b.p)}</td>
              <td className="num">{b.p === null ? '–' : `${pct(b.lower)} – ${pct(b.upper)}`}</td>
              <td className="num">{b.n ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
