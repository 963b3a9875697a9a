import { createHash, randomBytes } from 'node:crypto'
import { redirect } from '@remix-run/node'
import {
  createSession,
  findLiveSession,
  listMemberships,
  revokeSession,
  type MembershipSummary,
  type SessionWithUser,
} from '#db/queries/accounts.ts'
import { getDb } from './db.server.ts'
import { can, type Permission, type Role } from './permissions.ts'

/**
 * Sessions: a 256-bit random token in a `__Host-` cookie (Secure, HttpOnly, SameSite=Lax, Path=/, no
 * Domain); the database keeps only its SHA-256, so logout and user removal revoke it server-side. A new
 * token is issued at every login, so a token planted before login is useless afterwards.
 */
export const SESSION_COOKIE = '__Host-cse_session'
const SESSION_DAYS = 7

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

function readCookie(request: Request, name: string): string | null {
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

export async function startSession(userId: string, organisationId: string | null): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await createSession(await getDb(), {
    tokenHash: hashToken(token),
    userId,
    activeOrganisationId: organisationId,
    expiresAt: new Date(Date.now() + SESSION_DAYS * 86_400_000),
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
  return findLiveSession(await getDb(), hashToken(token))
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

/**
 * The gate for every staff loader and action: a live session, a membership of the active organisation,
 * and a role that allows `permission`. Every query the route then makes is scoped by `organisationId`.
 */
export async function requirePermission(request: Request, permission: Permission): Promise<StaffContext> {
  const session = await requireSession(request)
  const memberships = await listMemberships(await getDb(), session.userId)
  const active = memberships.find((m) => m.organisationId === session.activeOrganisationId) ?? memberships[0]
  if (!active) throw new Response('You are not a member of any organisation.', { status: 403 })
  if (!can(active.role, permission)) throw new Response('Your role does not allow this.', { status: 403 })
  return {
    session,
    userId: session.userId,
    organisationId: active.organisationId,
    organisationName: active.organisationName,
    role: active.role,
    memberships,
  }
}
