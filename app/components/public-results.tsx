import { Link } from '@remix-run/react'
import type { Lang } from '#app/i18n/catalogue.ts'
import { resultsText } from '#app/i18n/results.ts'
import type { ResultsPageData } from '#app/routes/results.$orgSlug.server.ts'
import type { PublicCell, PublicTable, PublicThemesView, SnapshotScope } from '#app/services/public-results.server.ts'

/*
 * The public results page (issue 14, item 1): a frozen snapshot in plain English or Welsh. Every figure is the
 * snapshot's (app/services/public-results.server.ts); this component only words and lays them out. Each chart is
 * CSS bars hidden from assistive technology, with the same figures in the table beside it.
 */

const dateText = (iso: string, lang: Lang) =>
  new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso).toLocaleDateString(lang === 'cy' ? 'cy-GB' : 'en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  })

function scopeText(scope: SnapshotScope, lang: Lang): string {
  const t = resultsText[lang]
  return scope.kind === 'wave' ? t.wave(scope.wave) : t.period(dateText(scope.from, lang), dateText(scope.to, lang))
}

function hiddenText(cell: PublicCell, lang: Lang): string {
  const t = resultsText[lang]
  return cell.suppression === 'secondary' ? t.protectedCell : t.tooFew
}

function Chart({ table, lang }: { table: PublicTable; lang: Lang }) {
  return (
    <div className="results-chart" aria-hidden="true">
      {table.rows.map((row) => (
        <div className="results-bar-row" key={row.key}>
          <span className="results-bar-label">{row.label}</span>
          <span className="results-bar-track">
            {row.cell.p !== null ? (
              <>
                <span className="results-bar" style={{ width: `${row.cell.p}%` }} />
                <span
                  className="results-range"
                  style={{ left: `${row.cell.lower}%`, width: `${(row.cell.upper ?? 0) - (row.cell.lower ?? 0)}%` }}
                />
              </>
            ) : null}
          </span>
          <span className="results-bar-value">{row.cell.p !== null ? `${row.cell.p}%` : hiddenText(row.cell, lang)}</span>
        </div>
      ))}
    </div>
  )
}

function ResultsTable({ table, lang, level }: { table: PublicTable; lang: Lang; level: number }) {
  const t = resultsText[lang]
  return (
    <section aria-labelledby={`${table.id}-heading`} className="results-section" id={table.id}>
      <h2 id={`${table.id}-heading`}>{table.heading}</h2>
      <Chart table={table} lang={lang} />
      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby={`${table.id}-caption`}>
        <table className="data" data-testid={`results-table-${table.id}`}>
          <caption id={`${table.id}-caption`}>
            {table.heading}. {t.intervalExplain(level)}
          </caption>
          <thead>
            <tr>
              <th scope="col">{table.kind === 'measures' ? t.colMeasure : t.colGroup}</th>
              <th scope="col" className="num">
                {t.colSatisfied}
              </th>
              <th scope="col">{t.colRange}</th>
              <th scope="col" className="num">
                {t.colAnswers}
              </th>
              {table.kind === 'groups' ? <th scope="col">{t.colCompared}</th> : null}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row) => (
              <tr key={row.key} data-key={row.key}>
                <th scope="row">{row.label}</th>
                {row.cell.p === null ? (
                  <td colSpan={table.kind === 'groups' ? 4 : 3} data-status="suppressed">
                    {hiddenText(row.cell, lang)}
                  </td>
                ) : (
                  <>
                    <td className="num" data-col="p">
                      {row.cell.p}%
                    </td>
                    <td data-col="range">
                      {t.between(row.cell.lower!, row.cell.upper!)}
                      {row.cell.status === 'low_base' ? (
                        <>
                          {' '}
                          <span className="tag warn">{t.lowBase}</span>
                        </>
                      ) : null}
                    </td>
                    <td className="num" data-col="n">
                      {row.cell.n?.toLocaleString(lang === 'cy' ? 'cy-GB' : 'en-GB')}
                    </td>
                    {table.kind === 'groups' ? (
                      <td data-col="compared">
                        {row.cell.compared === 'higher' ? (
                          <strong>▲ {t.higher}</strong>
                        ) : row.cell.compared === 'lower' ? (
                          <strong>▼ {t.lower}</strong>
                        ) : row.cell.compared === 'none' ? (
                          t.noClearDifference
                        ) : (
                          ''
                        )}
                      </td>
                    ) : null}
                  </>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

/**
 * The comment themes frozen with the snapshot, as the theme engine decided them (no figure is worked out here).
 * Theme names are staff text in English: marked lang="en" on the Welsh page.
 */
function ThemesSection({ themes, lang }: { themes: PublicThemesView; lang: Lang }) {
  const t = resultsText[lang]
  return (
    <section aria-labelledby="themes-heading" className="results-section" data-testid="results-themes">
      <h2 id="themes-heading">{t.themesHeading}</h2>
      {themes.coded === null ? (
        <p>{t.themesTooFew}</p>
      ) : (
        <>
          <p>{t.themesIntro(themes.coded.toLocaleString(lang === 'cy' ? 'cy-GB' : 'en-GB'))}</p>
          <ul>
            {themes.rows.map((row) => (
              <li key={row.id} data-status={row.cell.status}>
                {lang === 'en' ? row.name : <span lang="en">{row.name}</span>}:{' '}
                {row.cell.p !== null
                  ? t.themeSentence(row.cell.p, row.cell.lower!, row.cell.upper!)
                  : row.cell.suppression === 'secondary'
                    ? t.protectedCell
                    : t.tooFew}
                {row.cell.status === 'low_base' ? <span className="small"> ({t.lowBase})</span> : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}

/** A survey's title, marked with its own language where it is not the page's (an English title on the Welsh page). */
function TitleText({ title, titleLang, lang }: { title: string; titleLang: Lang; lang: Lang }) {
  return titleLang === lang ? <>{title}</> : <span lang={titleLang}>{title}</span>
}

export function PublicResults({ data }: { data: ResultsPageData }) {
  const { lang, orgSlug, selected, snapshots, actions, organisationName, requestedId } = data
  const t = resultsText[lang]
  const other = lang === 'cy' ? 'en' : 'cy'
  const base = `/results/${orgSlug}${requestedId ? `/${requestedId}` : ''}`
  const q = (l: Lang) => (l === 'cy' ? '?lang=cy' : '')
  const view = selected?.view
  const level = view ? Math.round(view.confidence * 100) : 95
  return (
    <main id="main" className="container results-page" lang={lang}>
      <p className="results-lang no-print">
        <a href={`${base}${q(other)}`} lang={other} hrefLang={other}>
          {t.otherLanguage}
        </a>
      </p>
      <h1>{t.pageTitle(organisationName)}</h1>
      <p>{t.intro}</p>
      {!selected || !view ? (
        <p>{t.noResults}</p>
      ) : (
        <>
          <section aria-labelledby="overall-heading" className="results-section">
            <h2 id="overall-heading">
              <TitleText title={selected.surveyTitle} titleLang={selected.surveyTitleLang} lang={lang} />:{' '}
              {scopeText(selected.scope, lang)}
            </h2>
            <p className="small">
              {t.published(dateText(selected.publishedAt, lang))}
              {selected.current ? '' : ` · ${t.superseded}`}
            </p>
            <h3>{t.overallHeading}</h3>
            <p className="results-headline" data-testid="results-overall">
              {view.overall.p !== null
                ? t.overallSentence(view.overall.p, view.overall.lower!, view.overall.upper!)
                : t.overallTooFew}{' '}
              {t.respondents(view.respondents.toLocaleString(lang === 'cy' ? 'cy-GB' : 'en-GB'))}
            </p>
            <p>{t.intervalExplain(level)}</p>
            {view.weighted ? <p>{t.weighted}</p> : null}
          </section>
          {view.tables.map((table) => (
            <ResultsTable key={table.id} table={table} lang={lang} level={level} />
          ))}
          {view.themes ? <ThemesSection themes={view.themes} lang={lang} /> : null}
          <section aria-labelledby="notes-heading" className="results-section">
            <h2 id="notes-heading">{t.notesHeading}</h2>
            <ul className="small">
              <li>{t.differencesNote}</li>
              <li>{t.smallGroupsNote(view.thresholds.lowBase, view.thresholds.suppress)}</li>
              {view.protection ? <li>{t.protectionNote}</li> : null}
              <li>{t.chartNote}</li>
            </ul>
            <p className="no-print">
              <a href={`/results/${orgSlug}/${selected.id}/csv${q(lang)}`} download>
                {t.downloadCsv}
              </a>
            </p>
          </section>
          <section aria-labelledby="actions-heading" className="results-section" data-testid="you-said-we-did">
            <h2 id="actions-heading">{t.youSaidHeading}</h2>
            <p>{t.youSaidIntro}</p>
            {actions.length === 0 ? (
              <p>{t.noActions}</p>
            ) : (
              <ul>
                {actions.map((a) => (
                  <li key={a.id}>
                    {/* an action without Welsh wording shows its English on the Welsh page: marked as English */}
                    {a.wordingLang === lang ? a.wording : <span lang={a.wordingLang}>{a.wording}</span>}
                    {a.completedAt ? <span className="small"> ({t.completedOn(dateText(a.completedAt, lang))})</span> : null}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
      {snapshots.length > 0 ? (
        <section aria-labelledby="all-heading" className="results-section no-print">
          <h2 id="all-heading">{t.allResults}</h2>
          <ul>
            {snapshots.map((s) => (
              <li key={s.id}>
                <Link to={`/results/${orgSlug}/${s.id}${q(lang)}`} aria-current={s.id === selected?.id ? 'page' : undefined}>
                  {t.readResults} <TitleText title={s.surveyTitle} titleLang={s.surveyTitleLang} lang={lang} />,{' '}
                  {scopeText(s.scope, lang)}
                </Link>{' '}
                <span className="small">
                  {t.published(dateText(s.publishedAt, lang))} · {s.current ? t.latest : t.superseded}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </main>
  )
}
