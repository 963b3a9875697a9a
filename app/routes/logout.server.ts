import { writeAudit } from '#db/queries/accounts.ts'
import { endSession, getSession } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'

/** Revoke the session on the server (the old cookie stops working at once) and record the sign-out. */
export async function signOut(request: Request): Promise<string> {
  const session = await getSession(request)
  const cookie = await endSession(request)
  if (session) {
    await writeAudit(await getDb(), {
      organisationId: session.activeOrganisationId,
      userId: session.userId,
      action: 'auth.sign_out',
    })
  }
  return cookie
}
