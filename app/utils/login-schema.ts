import { z } from 'zod'

/** The login form, validated the same way in the browser and on the server. */
export const loginSchema = z.object({
  email: z.email({ message: 'Enter an email address like name@example.gov.uk' }).max(254),
  password: z.string().min(1, { message: 'Enter your password' }).max(256),
  redirectTo: z.string().optional(),
})
