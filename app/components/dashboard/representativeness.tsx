import type { Dashboard } from '#app/services/dashboard.server.ts'
import { num, pct } from './plain-english.ts'

/** Who answered, against the population profile, with the report's hard-to-reach flags. */
export function Representativeness({ d }: { d: Dashboard }) {
  return (
    <section aria-labelledby="rep-heading">
      <h2 id="rep-heading">Who answered: representativeness</h2>
      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="rep-heading">
        <table className="data" data-testid="representativeness">
          <caption>
            Each group’s share of respondents beside its share of the population. Hard-to-reach groups are
            under-represented (sample share below two-thirds of the population share) or too small to report.
          </caption>
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col">Group</th>
              <th scope="col" className="num">
                Respondents
              </th>
              <th scope="col" className="num">
                Sample share
              </th>
              <th scope="col" className="num">
                Population share
              </th>
              <th scope="col">Flag</th>
            </tr>
          </thead>
          <tbody>
            {d.representativeness.map((r) => (
              <tr
                key={`${r.segment}:${r.group}`}
                data-hard-to-reach={r.underRepresented || r.unreportable ? 'true' : undefined}
              >
                <td>{r.segmentLabel}</td>
                <th scope="row">{r.groupLabel}</th>
                <td className="num">{r.unreportable ? '[s]' : num(r.respondents)}</td>
                <td className="num">{pct(r.sampleShare, 1)}</td>
                <td className="num">{pct(r.populationShare, 1)}</td>
                <td>
                  {r.underRepresented ? <span className="tag warn">under-represented</span> : null}
                  {r.unreportable ? <span className="tag warn">too small to report</span> : null}
                  {r.lowBase ? <span className="tag">low base</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}
