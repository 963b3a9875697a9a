import { Link } from '@remix-run/react'

/** The pages about one's own account, linked to each other. */
export function AccountNav({ current }: { current: 'password' | 'two-factor' | 'sessions' }) {
  const pages = [
    { key: 'password', to: '/app/account', label: 'Password' },
    { key: 'two-factor', to: '/app/account/two-factor', label: 'Two-factor sign-in' },
    { key: 'sessions', to: '/app/account/sessions', label: 'Sessions' },
  ] as const
  return (
    <nav aria-label="Your account">
      <p>
        {pages.map((page, i) => (
          <span key={page.key}>
            {i > 0 ? ' · ' : null}
            {page.key === current ? (
              <strong aria-current="page">{page.label}</strong>
            ) : (
              <Link to={page.to}>{page.label}</Link>
            )}
          </span>
        ))}
      </p>
    </nav>
  )
}
