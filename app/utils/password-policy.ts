import commonPasswordsText from './common-passwords.txt?raw'

/**
 * The password policy (NIST SP 800-63B style): length 8 to 128 characters, no composition rules, and refuse
 * passwords that attackers try first: the 10,000 most common ones (common-passwords.txt, provenance in its
 * header), the person's own e-mail address or name, and the organisation's name.
 */
export const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 128

let commonPasswords: Set<string> | undefined
function getCommonPasswords(): Set<string> {
  commonPasswords ??= new Set(
    commonPasswordsText
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  )
  return commonPasswords
}

export function isCommonPassword(password: string): boolean {
  return getCommonPasswords().has(password.toLowerCase())
}

export interface PasswordContext {
  email?: string
  name?: string
  organisationNames?: string[]
}

const squash = (value: string) => value.toLowerCase().replace(/[\s._-]+/g, '')

/** The reason a password is refused, in words for the person choosing it; null when it is acceptable. */
export function passwordProblem(password: string, context: PasswordContext = {}): string | null {
  const length = [...password].length
  if (length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`
  if (length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`
  if (/^(.)\1*$/u.test(password)) return 'Do not repeat one character.'
  if (isCommonPassword(password)) return 'This password is one of the most common passwords. Choose another.'
  const candidate = squash(password)
  const email = context.email?.trim().toLowerCase()
  const personal = [
    email,
    email?.split('@')[0],
    context.name,
    ...(context.organisationNames ?? []),
  ].filter((v): v is string => typeof v === 'string' && v.trim().length > 0)
  for (const value of personal) {
    const squashed = squash(value)
    if (squashed.length > 0 && (candidate === squashed || candidate.includes(squashed) && squashed.length >= 4 && candidate.length - squashed.length < 4)) {
      return 'Do not use your e-mail address, your name or the organisation’s name.'
    }
  }
  return null
}
