import { z } from 'zod'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '#app/utils/password-policy.ts'

/** Accepting an invitation as a new user: a name and a password typed twice. */
export const acceptAsNewUserSchema = z
  .object({
    intent: z.literal('create'),
    name: z.string().trim().min(1, { message: 'Enter your name' }).max(200),
    password: z
      .string()
      .min(PASSWORD_MIN_LENGTH, { message: `Use at least ${PASSWORD_MIN_LENGTH} characters` })
      .max(PASSWORD_MAX_LENGTH, { message: `Use at most ${PASSWORD_MAX_LENGTH} characters` }),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { message: 'The two passwords do not match', path: ['confirm'] })

/** Accepting with an account that already exists for the invited address: its password. */
export const acceptAsExistingUserSchema = z.object({
  intent: z.literal('join'),
  password: z.string().min(1, { message: 'Enter your password' }).max(256),
})
