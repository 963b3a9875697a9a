import { Link } from '@remix-run/react'

/** The settings pages that analysts use (population profiles, targets), linked to each other. */
export function SettingsNav({ current }: { current: 'population' | 'targets' }) {
  return (
    <nav aria-label="Settings">
      <p>
        {current === 'population' ? <strong aria-current="page">Population profiles</strong> : <Link to="/app/settings/population">Population profiles</Link>}
        {' · '}
        {current === 'targets' ? <strong aria-current="page">Targets</strong> : <Link to="/app/settings/targets">Targets</Link>}
      </p>
    </nav>
  )
}
