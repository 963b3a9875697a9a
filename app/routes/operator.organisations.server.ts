import { data, redirect } from '@remix-run/node'
import { isOperator, listOrganisationSummaries } from '#db/queries/operators.ts'
import { createOrganisationWithAdmin, FIRST_ADMIN_INVITATION_DAYS, type NewOrganisation } from '#app/services/organisations.server.ts'
import { getSession, OPERATOR_TWO_FACTOR_PATH } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { getEnv } from '#app/env.server.ts'

/*
 * /operator/organisations: for platform operators only (users.is_operator, set by `npm run operator:create`).
 * Everyone else, signed in or not, gets the same 404 as a page that does not exist, so the page does not even
 * reveal that it is there. Creating an organisation goes through createOrganisationWithAdmin, as the command
 * line does: the first admin gets a one-time invitation link, never a password.
 */

const NOT_FOUND = () => new Response('Not Found', { status: 404 })

/**
 * A signed-in platform operator with two-factor sign-in, or the same 404 as an unknown page. An operator without
 * it is sent to set it up first (app/utils/auth.server.ts mustEnrolTwoFactor), on every request, GET or POST.
 */
async function requireOperator(request: Request) {
  const session = await getSession(request)
  if (!session || !(await isOperator(await getDb(), session.userId))) throw NOT_FOUND()
  if (!session.twoFactorEnabled) throw redirect(`${OPERATOR_TWO_FACTOR_PATH}?required=1`)
  return session
}

export async function loadOperatorOrganisations(request: Request) {
  const session = await requireOperator(request)
  const organisations = await listOrganisationSummaries(await getDb())
  return {
    operator: { name: session.name, email: session.email },
    organisations: organisations.map((o) => ({ ...o, createdAt: o.createdAt.toISOString() })),
  }
}

export interface OperatorActionData {
  errors?: Partial<Record<keyof NewOrganisation, string>>
  values?: Record<string, string>
  created?: { name: string; slug: string; adminEmail: string; inviteLink: string; days: number }
}

export async function handleOperatorOrganisations(request: Request) {
  const session = await requireOperator(request)
  const form = await request.formData()
  const values = {
    name: String(form.get('name') ?? '').slice(0, 300),
    slug: String(form.get('slug') ?? '').slice(0, 100),
    adminEmail: String(form.get('adminEmail') ?? '').slice(0, 300),
  }
  const result = await createOrganisationWithAdmin(await getDb(), values, {
    operatorUserId: session.userId,
    origin: getEnv().PUBLIC_ORIGIN ?? new URL(request.url).origin,
    via: 'operator_page',
  })
  if (!result.ok) return data<OperatorActionData>({ errors: result.errors, values }, { status: 400 })
  return data<OperatorActionData>({
    created: { name: result.name, slug: result.slug, adminEmail: result.adminEmail, inviteLink: result.inviteLink, days: FIRST_ADMIN_INVITATION_DAYS },
  })
}
