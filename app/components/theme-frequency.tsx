import type { ThemeCell, ThemeFrequency } from '#analysis/theme-frequency.ts'
import { formatPercent } from '#app/utils/misc.ts'

/*
 * Renders the published theme frequencies (analysis/theme-frequency.ts via app/services/comment-themes.server.ts)
 * exactly as decided there: hidden cells show why, never a number.
 */

/** Why a cell shows no figure, or a low-base caution; '' for an ordinary figure. */
export function themeCellNote(cell: ThemeCell): string {
  if (cell.status === 'suppressed') {
    if (cell.suppression === 'secondary') return 'Hidden so that a small group cannot be worked out'
    if (cell.suppression === 'withheld') return 'Hidden: the breakdown cannot be shown without revealing a small group'
    return 'Hidden: too few comments or respondents'
  }
  return cell.status === 'low_base' ? 'Few comments: treat with caution' : ''
}

function Figure({ cell }: { cell: ThemeCell }) {
  if (cell.p === null) return <>{themeCellNote(cell)}</>
  return (
    <>
      {formatPercent(cell.p)}{' '}
      <span className="small">
        (between {formatPercent(cell.lower)} and {formatPercent(cell.upper)})
      </span>
      {cell.status === 'low_base' ? <span className="small"> · {themeCellNote(cell)}</span> : null}
    </>
  )
}

export function ThemeFrequencyTables({ frequency }: { frequency: ThemeFrequency }) {
  const level = `${Math.round(frequency.confidence * 100)}%`
  return (
    <>
      <p>
        {frequency.coded === null
          ? `No figures yet: themes are shown once at least ${frequency.thresholds.suppress} comments are coded, and only for a survey whose comments may be shown.`
          : `${frequency.coded.toLocaleString('en-GB')} comments are coded. Each figure is the share of a group’s coded comments that carry the theme, with the range the true share is likely to lie in (${level} Wilson interval). Groups with fewer than ${frequency.thresholds.suppress} coded comments or respondents are hidden, as on the dashboard.`}
      </p>
      {frequency.themes.map((t) => (
        <section key={t.id} aria-labelledby={`freq-${t.id}`} data-testid="theme-frequency">
          <h3 id={`freq-${t.id}`}>{t.name}</h3>
          <p data-testid="theme-overall">
            All coded comments: <Figure cell={t.overall} />
          </p>
          {t.breakdowns.map((b) => (
            <table className="data" key={b.by} data-testid={`theme-by-${b.by}`}>
              <caption>
                {t.name} by {b.label.toLowerCase()}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{b.label}</th>
                  <th scope="col">Coded comments</th>
                  <th scope="col">Share with this theme</th>
                </tr>
              </thead>
              <tbody>
                {b.rows.map((r) => (
                  <tr key={r.group}>
                    <th scope="row">{r.label}</th>
                    <td>{r.cell.n === null ? '–' : r.cell.n.toLocaleString('en-GB')}</td>
                    <td>
                      <Figure cell={r.cell} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </section>
      ))}
    </>
  )
}
