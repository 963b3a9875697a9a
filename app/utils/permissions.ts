/**
 * The one role × action matrix. Every staff loader and action asks `requirePermission` for one of these
 * actions; nothing else decides who may do what.
 */
export const ROLES = ['viewer', 'analyst', 'admin'] as const
export type Role = (typeof ROLES)[number]

export const PERMISSIONS = {
  'dashboard:read': ['viewer', 'analyst', 'admin'],
  'export:create': ['viewer', 'analyst', 'admin'],
  'microdata:export': ['analyst', 'admin'],
  'survey:write': ['analyst', 'admin'],
  'survey:publish': ['analyst', 'admin'],
  'invitation:create': ['analyst', 'admin'],
  'import:create': ['analyst', 'admin'],
  'population:write': ['analyst', 'admin'],
  'target:write': ['analyst', 'admin'],
  // Issue 14: publish a survey's results to the public page; record "You said, we did" actions.
  'results:publish': ['analyst', 'admin'],
  'action:write': ['analyst', 'admin'],
  // Comment themes: keep a survey's coding frame and code its comments (viewers read the frequencies).
  'theme:write': ['analyst', 'admin'],
  'users:manage': ['admin'],
  'settings:write': ['admin'],
  'audit:read': ['admin'],
  // A customer's data rights (UK GDPR arts. 15, 17): find a response by its receipt and export it; erase it.
  'response:read': ['analyst', 'admin'],
  'response:erase': ['admin'],
  // Retention periods: a change can delete responses at the next purge (app/services/retention.server.ts).
  'retention:write': ['admin'],
} as const satisfies Record<string, readonly Role[]>

export type Permission = keyof typeof PERMISSIONS

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role)
}
