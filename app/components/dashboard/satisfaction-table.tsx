import type { Dashboard, DashboardCell } from '#app/services/dashboard.server.ts'
import { intervalSentence, num, pct, pValue, SIGNIFICANCE_TEXT } from './plain-english.ts'

/*
 * The satisfaction table of the dashboard, written for a service manager: each cell is the % satisfied, its
 * range, the number who answered and ▲/▼, with a key in plain English above the table. The analyst's figures
 * that need technical words (effective bases, Holm-adjusted p, the across-group tests) are in the "How this was
 * worked out" panel below it. Every number is the report's (app/services/dashboard.server.ts).
 */

type Segment = Dashboard['meta']['segments'][number] & {
  rows: Dashboard['rows']
  test: Dashboard['segmentTests'][number] | undefined
}

function SatisfactionCell({ cell }: { cell: DashboardCell | undefined }) {
  if (!cell || cell.suppressed) {
    return (
      <td className="num muted" data-flag="suppressed">
        <abbr
          title={
            cell?.suppression === 'secondary'
              ? 'Not shown, so that a small group cannot be worked out by subtraction'
              : 'Not shown: too few answers'
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
      {cell.significance ? (
        <span className="sig">
          {' '}
          {cell.significance === 'higher' ? '▲' : '▼'}
          <span className="sr-only">, {SIGNIFICANCE_TEXT[cell.significance]}</span>
        </span>
      ) : null}
      <br />
      <span className="sr-only">fairly sure between </span>
      <span className="small" data-testid="interval">
        {pct(cell.lower)}–{pct(cell.upper)}
      </span>
      <br />
      <span className="small">n={num(cell.n)}</span>
      {cell.flag === 'low_base' ? (
        <>
          <br />
          <span className="tag warn" data-testid="low-base">
            low base
          </span>
        </>
      ) : null}
    </td>
  )
}

/** The whole-survey figure of each measure, each with its range said in words. */
export function HeadlineFigures({ d }: { d: Dashboard }) {
  return (
    <ul className="headline-figures" data-testid="headline-figures">
      {d.meta.ratings.map((r) => {
        const cell = d.overall.cells[r.name]
        const shown = cell && !cell.suppressed
        return (
          <li key={r.name} data-rating={r.name}>
            <span className="headline-label">{r.label}</span>
            <span className="headline-value">{shown ? pct(cell.p) : '[s]'}</span>
            <span className="headline-plain" data-testid="plain-interval">
              {shown ? intervalSentence(cell.lower, cell.upper) : 'Not shown: too few answers.'}
            </span>
            {shown ? <span className="small">{num(cell.n)} answered</span> : null}
          </li>
        )
      })}
    </ul>
  )
}

export function SatisfactionTable({ d, segments }: { d: Dashboard; segments: Segment[] }) {
  const ratings = d.meta.ratings
  const level = `${Math.round(d.options.confidence * 100)}%`
  return (
    <>
      <div className="how-to-read" id="how-to-read" data-testid="how-to-read">
        <p>How to read the table:</p>
        <ul>
          <li>
            The large number is the share of customers satisfied
            {d.options.weighted ? ', adjusted to match the make-up of the population' : ''}.
          </li>
          <li>
            Below it is the range we can be fairly sure the true figure lies in ({level} sure), for example
            “58%–66%”. A narrow range means a precise figure.
          </li>
          <li>n is the number of people who answered.</li>
          <li>
            <span aria-hidden="true">▲ </span>
            {SIGNIFICANCE_TEXT.higher[0]!.toUpperCase() + SIGNIFICANCE_TEXT.higher.slice(1)};{' '}
            <span aria-hidden="true">▼ </span>
            {SIGNIFICANCE_TEXT.lower}. No arrow: no clear difference.
          </li>
          <li>
            [s]: not shown, because too few people answered to publish it safely. Low base: fewer than{' '}
            {d.meta.thresholds.lowBase} answered, so treat the figure with caution.
          </li>
        </ul>
      </div>
      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="table-heading">
        <table className="data satisfaction" data-testid="satisfaction-table">
          <caption>
            % satisfied, the range we can be fairly sure of, and the number who answered (n), for every group
            {d.options.weighted ? ', weighted' : ', unweighted'}.
          </caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              {ratings.map((r) => (
                <th
                  scope="col"
                  key={r.name}
                  className="num"
                  title={d.ratingTitles[r.name] ?? ''}
                  data-rating={r.name}
                >
                  {r.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody id="satisfaction-overall">
            <tr>
              <th scope="row">All respondents</th>
              {ratings.map((r) => (
                <SatisfactionCell key={r.name} cell={d.overall.cells[r.name]} />
              ))}
            </tr>
          </tbody>
          {segments.map((s) => (
            <tbody key={s.name} id={`satisfaction-by-${s.name}`}>
              <tr>
                <th scope="colgroup" colSpan={ratings.length + 1} className="group-heading">
                  {s.label}
                  {s.test?.shown ? (
                    <span className="small" data-testid={`segment-test-${s.name}`}>
                      {' '}
                      ·{' '}
                      {s.test.significant
                        ? 'the groups differ, and the difference is unlikely to be chance'
                        : 'no clear difference between the groups'}
                    </span>
                  ) : null}
                </th>
              </tr>
              {s.rows.map((row) => (
                <tr key={row.group}>
                  <th scope="row">{row.groupLabel}</th>
                  {ratings.map((r) => (
                    <SatisfactionCell key={r.name} cell={row.cells[r.name]} />
                  ))}
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      </div>
    </>
  )
}

/**
 * The analyst's figures behind the table: the method of the ranges and arrows, the across-group tests, and a
 * table of effective bases (Kish) and Holm-adjusted p of every flagged cell.
 */
export function SatisfactionMethods({ d, segments }: { d: Dashboard; segments: Segment[] }) {
  const ratings = d.meta.ratings
  const level = `${Math.round(d.options.confidence * 100)}%`
  const detail = (cell: DashboardCell | undefined) =>
    !cell || cell.suppressed
      ? '[s]'
      : [
          cell.ess !== null ? `eff. ${num(cell.ess)}` : null,
          cell.significance ? `Holm p ${pValue(cell.pHolm)}` : null,
        ]
          .filter(Boolean)
          .join('; ') || '–'
  return (
    <details className="methods" data-testid="satisfaction-methods">
      <summary>How this was worked out: satisfaction figures</summary>
      <p>
        The ranges are {level} confidence intervals
        {d.options.weighted
          ? ': the weighted proportion ± z × its raked (linearised) standard error'
          : ': Wilson score intervals'}
        . ▲▼ mark a group whose figure differs from the rest of the respondents
        {d.options.weighted
          ? ' (a design-based contrast under the raked design)'
          : ' (a two-proportion test)'}
        , with p-values adjusted within each segment by Holm’s method; a group is flagged when its
        Holm-adjusted p is below {(1 - d.options.confidence).toFixed(2)}, never because ranges do not overlap.
        Across groups the test is {d.options.weighted ? 'the Rao-Scott F' : 'Pearson’s χ²'}.{' '}
        {d.options.weighted
          ? 'The effective base (Kish) is the number of unweighted answers that would give the same precision as the weighted ones; the design effect is the base divided by it.'
          : 'Figures are unweighted, so the effective base equals the base.'}
      </p>
      {segments.some((s) => s.test?.shown) ? (
        <ul data-testid="segment-tests">
          {segments
            .filter((s) => s.test?.shown)
            .map((s) => (
              <li key={s.name} data-testid={`segment-method-${s.name}`}>
                {s.label}, across groups: {s.test!.method === 'rao-scott' ? 'Rao-Scott' : 'χ²'} p{' '}
                {pValue(s.test!.pValue)}
              </li>
            ))}
        </ul>
      ) : null}
      <div
        className="table-scroll"
        tabIndex={0}
        role="region"
        aria-label="Effective bases and adjusted p-values"
      >
        <table className="data satisfaction small" data-testid="effective-bases">
          <caption>Effective base (eff.) of every figure, and the Holm-adjusted p of every ▲▼</caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              {ratings.map((r) => (
                <th scope="col" key={r.name} className="num">
                  {r.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">All respondents</th>
              {ratings.map((r) => (
                <td key={r.name} className="num">
                  {detail(d.overall.cells[r.name])}
                </td>
              ))}
            </tr>
            {segments.flatMap((s) =>
              s.rows.map((row) => (
                <tr key={`${s.name}:${row.group}`}>
                  <th scope="row">
                    {s.label}: {row.groupLabel}
                  </th>
                  {ratings.map((r) => (
                    <td key={r.name} className="num">
                      {detail(row.cells[r.name])}
                    </td>
                  ))}
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
      <ul className="small">
        {d.notes.map((n, i) => (
          <li key={`${n.code}-${i}`}>{n.text}</li>
        ))}
      </ul>
    </details>
  )
}
