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
  'users:manage': ['admin'],
  'settings:write': ['admin'],
  'audit:read': ['admin'],
} as const satisfies Record<string, readonly Role[]>

export type Permission = keyof typeof PERMISSIONS

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role)
}
