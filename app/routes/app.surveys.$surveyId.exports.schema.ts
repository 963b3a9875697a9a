import { z } from 'zod'

/** What the exports page can download. */
export const EXPORT_KINDS = [
  'tables-xlsx',
  'table-csv',
  'microdata',
  'codebook',
  'r-script',
  'methods-note',
  'report',
  'pdf',
] as const
export type ExportKind = (typeof EXPORT_KINDS)[number]

const checkbox = z
  .union([z.literal('on'), z.literal('true'), z.literal('1'), z.literal('')])
  .optional()
  .transform((v) => v === 'on' || v === 'true' || v === '1')

/** The download form (every download button posts it with its own `kind`). */
export const exportDownloadSchema = z.object({
  kind: z.enum(EXPORT_KINDS, { message: 'Choose what to download' }),
  /** table id for `table-csv` */
  table: z
    .string()
    .regex(/^[a-z0-9_-]{1,80}$/, 'Unknown table')
    .optional(),
  bom: checkbox,
  freeText: checkbox,
  equality: checkbox,
})
export type ExportDownloadForm = z.infer<typeof exportDownloadSchema>
