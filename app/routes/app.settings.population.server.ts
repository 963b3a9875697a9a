import { data } from '@remix-run/node'
import { requirePermission } from '#app/utils/auth.server.ts'
import { can } from '#app/utils/permissions.ts'
import { getDb } from '#app/utils/db.server.ts'
import { writeAudit } from '#db/queries/accounts.ts'
import {
  deletePopulationProfile,
  getPopulationProfile,
  listPopulationProfiles,
  listSegmentNames,
  savePopulationProfile,
  setDefaultPopulationProfile,
  type PopulationMargins,
} from '#db/queries/population.ts'
import {
  deleteProfileSchema,
  makeDefaultSchema,
  marginsToCsv,
  profileFormErrors,
  saveProfileSchema,
  sortedMargins,
  type ProfileFormErrors,
} from './app.settings.population.schema.ts'

/*
 * Population profiles: the population the weighted dashboard rakes to (its default profile). Everyone may read
 * them; analysts and admins ('population:write') create, edit, delete and choose the default. Every write is
 * audited and scoped by the session's organisation: another organisation's profile id is a 404.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MAX_UPLOAD_BYTES = 1_000_000

/** Variables of a profile that no survey of the organisation records, so the dashboard cannot rake on them. */
function unknownVariables(margins: PopulationMargins, segmentNames: string[]): string[] {
  return Object.keys(margins).filter((v) => !segmentNames.includes(v))
}

export async function loadPopulationPage(request: Request) {
  const ctx = await requirePermission(request, 'dashboard:read')
  const db = await getDb()
  const editId = new URL(request.url).searchParams.get('edit')
  const [profiles, segmentNames] = await Promise.all([
    listPopulationProfiles(db, ctx.organisationId),
    listSegmentNames(db, ctx.organisationId),
  ])
  let editing: null | { id: string; name: string; total: number; isDefault: boolean; margins: string } = null
  if (editId) {
    const profile = UUID.test(editId) ? await getPopulationProfile(db, ctx.organisationId, editId) : null
    if (!profile) throw new Response('Population profile not found', { status: 404 })
    editing = {
      id: profile.id,
      name: profile.name,
      total: profile.total,
      isDefault: profile.isDefault,
      margins: marginsToCsv(profile.margins as PopulationMargins),
    }
  }
  return {
    canWrite: can(ctx.role, 'population:write'),
    segmentNames,
    editing,
    profiles: profiles.map((p) => {
      const margins = p.margins as PopulationMargins
      return {
        id: p.id,
        name: p.name,
        total: p.total,
        isDefault: p.isDefault,
        margins: sortedMargins(margins),
        unknownVariables: unknownVariables(margins, segmentNames),
      }
    }),
  }
}

export type PopulationActionData =
  | { ok: true; message: string; warnings: string[] }
  | {
      ok: false
      errors: ProfileFormErrors
      values?: { id: string; name: string; total: string; isDefault: boolean; margins: string }
    }

async function readUpload(value: FormDataEntryValue | null): Promise<string | null | { error: string }> {
  if (value === null || typeof value === 'string') return null
  if (value.size === 0) return null
  if (value.size > MAX_UPLOAD_BYTES) return { error: 'The file is larger than 1 MB' }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(await value.arrayBuffer())
  return text
}

export async function handlePopulationAction(request: Request) {
  const ctx = await requirePermission(request, 'population:write')
  const db = await getDb()
  const form = await request.formData()
  const intent = form.get('intent')
  const audit = (action: string, targetId: string, details: Record<string, unknown>) =>
    writeAudit(db, {
      organisationId: ctx.organisationId,
      userId: ctx.userId,
      action,
      targetType: 'population_profile',
      targetId,
      details,
    })

  if (intent === 'delete' || intent === 'make-default') {
    const parsed = (intent === 'delete' ? deleteProfileSchema : makeDefaultSchema).safeParse(
      Object.fromEntries(form),
    )
    if (!parsed.success)
      return data<PopulationActionData>(
        { ok: false, errors: { form: parsed.error.issues[0]?.message ?? 'Check the form' } },
        { status: 400 },
      )
    const profile = await getPopulationProfile(db, ctx.organisationId, parsed.data.id)
    if (!profile) throw new Response('Population profile not found', { status: 404 })
    if (intent === 'delete') {
      await deletePopulationProfile(db, ctx.organisationId, profile.id)
      await audit('population.deleted', profile.id, {
        name: profile.name,
        total: profile.total,
        wasDefault: profile.isDefault,
      })
      return data<PopulationActionData>({
        ok: true,
        message: profile.isDefault
          ? `“${profile.name}” is deleted. It was the default: choose another, or weighting stays off.`
          : `“${profile.name}” is deleted.`,
        warnings: [],
      })
    }
    await setDefaultPopulationProfile(db, ctx.organisationId, profile.id)
    await audit('population.updated', profile.id, { name: profile.name, isDefault: true })
    return data<PopulationActionData>({
      ok: true,
      message: `The weighted dashboard now rakes to “${profile.name}”.`,
      warnings: [],
    })
  }

  if (intent !== 'save')
    return data<PopulationActionData>({ ok: false, errors: { form: 'Unknown action' } }, { status: 400 })

  const upload = await readUpload(form.get('file'))
  const values = {
    intent: 'save',
    id: String(form.get('id') ?? ''),
    name: String(form.get('name') ?? ''),
    total: String(form.get('total') ?? ''),
    margins: String(form.get('margins') ?? ''),
    ...(form.get('isDefault') === 'on' ? { isDefault: 'on' as const } : {}),
  }
  if (upload && typeof upload === 'object') {
    return data<PopulationActionData>(
      {
        ok: false,
        errors: { margins: [upload.error] },
        values: { ...values, isDefault: values.isDefault === 'on' },
      },
      { status: 400 },
    )
  }
  // An uploaded file replaces what is in the box, and is shown back in it when there are errors to fix.
  if (typeof upload === 'string') values.margins = upload
  const parsed = saveProfileSchema.safeParse(values)
  if (!parsed.success) {
    return data<PopulationActionData>(
      {
        ok: false,
        errors: profileFormErrors(parsed.error.issues),
        values: { ...values, isDefault: values.isDefault === 'on' },
      },
      { status: 400 },
    )
  }
  const input = parsed.data
  let before = null
  if (input.id) {
    before = await getPopulationProfile(db, ctx.organisationId, input.id)
    if (!before) throw new Response('Population profile not found', { status: 404 })
  }
  const saved = await savePopulationProfile(
    db,
    ctx.organisationId,
    { name: input.name, total: input.total, margins: input.margins, isDefault: input.isDefault },
    input.id,
  )
  if (!saved) throw new Response('Population profile not found', { status: 404 })
  const details = {
    name: saved.name,
    total: saved.total,
    variables: Object.keys(input.margins),
    isDefault: saved.isDefault,
  }
  await audit(
    before ? 'population.updated' : 'population.created',
    saved.id,
    before ? { ...details, previousName: before.name, previousTotal: before.total } : details,
  )
  const unknown = unknownVariables(input.margins, await listSegmentNames(db, ctx.organisationId))
  return data<PopulationActionData>({
    ok: true,
    message: `“${saved.name}” is ${before ? 'saved' : 'created'}${saved.isDefault ? ' and is the default the weighted dashboard rakes to' : ''}.`,
    warnings: unknown.map(
      (v) =>
        `No survey records a segment called “${v}”, so the dashboard cannot weight on it. Segment names look like age_band or sex.`,
    ),
  })
}
