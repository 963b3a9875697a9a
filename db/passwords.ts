import { hash, verify } from '@node-rs/argon2'

/**
 * Password hashing with argon2id at OWASP's minimum profile: t=2 passes, m=19 MiB, p=1. The parameters are
 * stored inside the PHC string ($argon2id$v=19$m=19456,t=2,p=1$…), so they can be raised later and old hashes
 * still verify.
 */
export const ARGON2_OPTIONS = { algorithm: 2 /* Algorithm.Argon2id (a const enum, not importable under isolatedModules) */, timeCost: 2, memoryCost: 19_456, parallelism: 1 } as const

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS)
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}
