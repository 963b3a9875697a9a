import { z } from 'zod'

/** The "issue invitations" form, shared by the page and the download action. */
export const issueInvitationsSchema = z.object({
  count: z.coerce
    .number({ message: 'Enter how many invitations to make' })
    .int('Enter a whole number')
    .min(1, 'Make at least 1 invitation')
    .max(10_000, 'Make at most 10,000 invitations at a time'),
  batch: z
    .string()
    .trim()
    .max(60, 'Keep the batch name under 60 characters')
    .regex(/^[\p{L}\p{N} _.,()/-]*$/u, 'Use letters, numbers, spaces and simple punctuation in the batch name')
    .optional()
    .default(''),
  /** `param=value` of one URL segment to stamp on every link of the batch, or empty. */
  segment: z.string().max(150).optional().default(''),
})
export type IssueInvitationsForm = z.infer<typeof issueInvitationsSchema>
