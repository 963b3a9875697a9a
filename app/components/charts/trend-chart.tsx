import { Area, CartesianGrid, ComposedChart, Line, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts'

export interface TrendSeriesPoint {
  wave: string
  p: number | null
  lower: number | null
  upper: number | null
  n: number | null
}

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(0)}%`)

/** One measure over the waves: a line with its interval as a band, the target as a dashed line, and a table. */
export function TrendChart({ title, points, target, confidence }: { title: string; points: TrendSeriesPoint[]; target: number | null; confidence: number }) {
  const data = points.map((p) => ({
    wave: p.wave,
    p: p.p === null ? null : p.p * 100,
    band: p.lower === null || p.upper === null ? null : [p.lower * 100, p.upper * 100],
  }))
  return (
    <figure className="chart-with-table">
      <figcaption>{title}</figcaption>
      <div aria-hidden="true" className="chart">
        <ComposedChart accessibilityLayer={false} width={360} height={200} data={data} margin={{ left: 0, right: 24, top: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="wave" />
          <YAxis domain={[0, 100]} unit="%" />
          <Tooltip />
          <Area dataKey="band" stroke="none" fill="#1d70b8" fillOpacity={0.2} isAnimationActive={false} />
          <Line dataKey="p" stroke="#1d70b8" strokeWidth={2} dot isAnimationActive={false} />
          {target !== null ? <ReferenceLine y={target * 100} stroke="#d4351c" strokeDasharray="6 3" label="target" /> : null}
        </ComposedChart>
      </div>
      <table className="data small">
        <caption>{title}: data</caption>
        <thead>
          <tr>
            <th scope="col">Wave</th>
            <th scope="col" className="num">% satisfied</th>
            <th scope="col" className="num">{Math.round(confidence * 100)}% interval</th>
            <th scope="col" className="num">n</th>
          </tr>
        </thead>
        <tbody>
          {points.map((p) => (
            <tr key={p.wave}>
              <th scope="row">{p.wave}</th>
              <td className="num">{p.p === null ? 'suppressed' : pct(p.p)}</td>
              <td className="num">{p.p === null ? '–' : `${pct(p.lower)} – ${pct(p.upper)}`}</td>
              <td className="num">{p.n ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
