import { createHash, randomBytes } from 'node:crypto'
import { redirect } from '@remix-run/node'
import {
  createSession,
  findLiveSession,
  listMemberships,
  revokeSession,
  type MembershipSummary,
  type SessionWithUser,
  writeAudit,
} from '#db/queries/accounts.ts'
import { touchSession } from '#db/queries/account-security.ts'
import { getDb } from './db.server.ts'
import { can, type Permission, type Role } from './permissions.ts'
import { summariseUserAgent } from './user-agent.ts'

/**
 * Sessions: a 256-bit random token in a `__Host-` cookie (Secure, HttpOnly, SameSite=Lax, Path=/, no
 * Domain); the database keeps only its SHA-256, so logout and user removal revoke it server-side. A new
 * token is issued at every login, so a token planted before login is useless afterwards.
 */
export const SESSION_COOKIE = '__Host-cse_session'
const SESSION_DAYS = 7

/** The page where two-factor sign-in is set up: the one staff page a person who must enrol may still open. */
export const TWO_FACTOR_ENROL_PATH = '/app/account/two-factor'

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get('Cookie')
  if (!header) return null
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return rest.join('=') || null
  }
  return null
}

export function sessionCookie(token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=${maxAgeSeconds}`
}

/**
 * Start a session. `request` (the sign-in request) gives the coarse browser summary shown on the sessions
 * page ("Firefox on Windows"); the full user-agent string and the address are not stored.
 */
export async function startSession(userId: string, organisationId: string | null, request?: Request): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await createSession(await getDb(), {
    tokenHash: hashToken(token),
    userId,
    activeOrganisationId: organisationId,
    expiresAt: new Date(Date.now() + SESSION_DAYS * 86_400_000),
    userAgent: request ? summariseUserAgent(request.headers.get('User-Agent')) : null,
  })
  return sessionCookie(token, SESSION_DAYS * 86_400)
}

export async function endSession(request: Request): Promise<string> {
  const token = readCookie(request, SESSION_COOKIE)
  if (token) await revokeSession(await getDb(), hashToken(token))
  return sessionCookie('', 0)
}

export async function getSession(request: Request): Promise<SessionWithUser | null> {
  const token = readCookie(request, SESSION_COOKIE)
  if (!token || token.length > 100) return null
  const db = await getDb()
  const session = await findLiveSession(db, hashToken(token))
  if (session && Date.now() - session.lastSeenAt.getTime() > 60_000) await touchSession(db, session.sessionId)
  return session
}

export async function requireSession(request: Request): Promise<SessionWithUser> {
  const session = await getSession(request)
  if (!session) {
    const url = new URL(request.url)
    throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname)}`)
  }
  return session
}

export interface StaffContext {
  session: SessionWithUser
  userId: string
  organisationId: string
  organisationName: string
  role: Role
  memberships: MembershipSummary[]
}

/** Where a platform operator who belongs to no organisation sets up two-factor sign-in. */
export const OPERATOR_TWO_FACTOR_PATH = '/operator/two-factor'

/**
 * True when this person must set up two-factor sign-in before anything else: every platform operator and every
 * admin must, and so must every member of an organisation that requires it (db/schema.ts
 * organisations.requireTwoFactor).
 */
export function mustEnrolTwoFactor(session: SessionWithUser, role: Role | null, organisationRequires: boolean): boolean {
  return !session.twoFactorEnabled && (session.isOperator || role === 'admin' || organisationRequires)
}

/**
 * The gate for every staff loader and action: a live session, a membership of the active organisation,
 * and a role that allows `permission`. Every query the route then makes is scoped by `organisationId`.
 * Someone who must set up two-factor sign-in (mustEnrolTwoFactor) is sent to TWO_FACTOR_ENROL_PATH from
 * every other staff page and action.
 */
export async function requirePermission(request: Request, permission: Permission): Promise<StaffContext> {
  const session = await requireSession(request)
  const memberships = await listMemberships(await getDb(), session.userId)
  const active = memberships.find((m) => m.organisationId === session.activeOrganisationId) ?? memberships[0]
  if (!active) throw new Response('You are not a member of any organisation.', { status: 403 })
  if (mustEnrolTwoFactor(session, active.role, active.requireTwoFactor)) {
    const path = new URL(request.url).pathname
    if (path !== TWO_FACTOR_ENROL_PATH) throw redirect(`${TWO_FACTOR_ENROL_PATH}?required=1`)
  }
  if (!can(active.role, permission)) {
    // Failed authorisation attempts are audited (ASVS 5.0 V16.3.2; docs/security.md).
    await writeAudit(await getDb(), {
      organisationId: active.organisationId,
      userId: session.userId,
      action: 'auth.forbidden',
      details: { permission, role: active.role, method: request.method, path: new URL(request.url).pathname.slice(0, 200) },
    })
    throw new Response('Your role does not allow this.', { status: 403 })
  }
  return {
    session,
    userId: session.userId,
    organisationId: active.organisationId,
    organisationName: active.organisationName,
    role: active.role,
    memberships,
  }
}
