import type { SummarySentence } from '#analysis/executive-summary.ts'

/**
 * The executive summary (analysis/executive-summary.ts) as a list: each sentence links to the table behind it
 * (an element of the page with the sentence's `table` id). The printable report renders the same sentences
 * (app/services/export-report.server.ts).
 */
export function ExecutiveSummary({ sentences }: { sentences: Array<Pick<SummarySentence, 'id' | 'text' | 'table'>> }) {
  return (
    <section aria-labelledby="summary-heading" className="executive-summary" data-testid="executive-summary">
      <h2 id="summary-heading">Summary</h2>
      <ul>
        {sentences.map((s) => (
          <li key={s.id} data-summary-id={s.id}>
            {s.text}{' '}
            <a href={`#${s.table}`} className="small">
              See the table
            </a>
          </li>
        ))}
      </ul>
    </section>
  )
}
