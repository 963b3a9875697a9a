import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'

/*
 * One schema for the whole mission (PRODUCT.md). Every tenant-owned table carries `organisation_id`, which is
 * both the scoping key for every staff query and the natural distribution key if responses are ever sharded
 * (docs/scaling.md). Survey definitions are immutable once published: responses point at the exact version
 * they answered, so later edits never change what an earlier answer meant.
 */

export const roleEnum = pgEnum('role', ['viewer', 'analyst', 'admin'])
export const surveyStatusEnum = pgEnum('survey_status', ['draft', 'open', 'closed'])
export const responseSourceEnum = pgEnum('response_source', ['web', 'nojs', 'api', 'import', 'invitation'])

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()

export const organisations = pgTable('organisations', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  /** Reporting thresholds and defaults; see OrganisationSettings in db/types.ts. */
  settings: jsonb('settings').notNull().default(sql`'{}'::jsonb`),
  createdAt: createdAt(),
})

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_lower_idx').on(sql`lower(${t.email})`)],
)

export const memberships = pgTable(
  'memberships',
  {
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: roleEnum('role').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.organisationId, t.userId] }), index('memberships_user_idx').on(t.userId)],
)

/** Server-side sessions: the cookie holds a random id; only its SHA-256 is stored, so a database leak
 * does not leak live sessions. Revocation is deleting or stamping the row. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull().unique(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    activeOrganisationId: uuid('active_organisation_id').references(() => organisations.id, {
      onDelete: 'set null',
    }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
)

/** One-time links by which an admin invites a colleague into an organisation. */
export const staffInvitations = pgTable('staff_invitations', {
  id: uuid('id').primaryKey().defaultRandom(),
  organisationId: uuid('organisation_id')
    .notNull()
    .references(() => organisations.id, { onDelete: 'cascade' }),
  email: text('email').notNull(),
  role: roleEnum('role').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  acceptedAt: timestamp('accepted_at', { withTimezone: true }),
  createdAt: createdAt(),
})

export const surveys = pgTable(
  'surveys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    /** Public slug for /s/:slug. Globally unique because the public URL carries no organisation. */
    slug: text('slug').notNull().unique(),
    title: text('title').notNull(),
    status: surveyStatusEnum('status').notNull().default('draft'),
    templateId: text('template_id'),
    /** Surveys of one series are waves of the same measurement; trends compare across them. */
    seriesId: uuid('series_id').notNull().defaultRandom(),
    /** Wave label stamped on responses, e.g. "2026". */
    wave: text('wave').notNull(),
    /** The editable draft: SurveyJS JSON and template metadata. Published copies live in survey_versions. */
    draftDefinition: jsonb('draft_definition').notNull(),
    draftMetadata: jsonb('draft_metadata').notNull(),
    currentVersionId: uuid('current_version_id'),
    opensAt: timestamp('opens_at', { withTimezone: true }),
    closesAt: timestamp('closes_at', { withTimezone: true }),
    /** Responses older than this are purged automatically (UK GDPR storage limitation). */
    retentionDays: integer('retention_days').notNull().default(730),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('surveys_org_idx').on(t.organisationId), index('surveys_series_idx').on(t.seriesId)],
)

export const surveyVersions = pgTable(
  'survey_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    definition: jsonb('definition').notNull(),
    metadata: jsonb('metadata').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
    publishedBy: uuid('published_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [uniqueIndex('survey_versions_survey_version_idx').on(t.surveyId, t.version)],
)

/** Single-use invitations to answer a survey. Only the SHA-256 of the token is stored. */
export const responseInvitations = pgTable(
  'response_invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    batch: text('batch').notNull(),
    segments: jsonb('segments').notNull().default(sql`'{}'::jsonb`),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('response_invitations_survey_idx').on(t.organisationId, t.surveyId)],
)

/**
 * One row per response. `answers` holds question name → answer exactly as validated against the version's
 * definition. `segments` holds customer-group values (URL parameters and segment questions) as text, so that
 * GROUP BY over any segment is one expression. No IP address or user agent is ever stored.
 */
export const responses = pgTable(
  'responses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    surveyVersionId: uuid('survey_version_id')
      .notNull()
      .references(() => surveyVersions.id, { onDelete: 'cascade' }),
    /** Client-generated idempotency key: a retry with the same key returns the original receipt. */
    clientId: uuid('client_id').notNull(),
    /** SHA-256 of the canonical payload, to tell a replay (same payload) from a conflict (changed payload). */
    payloadHash: text('payload_hash').notNull(),
    receipt: text('receipt').notNull(),
    wave: text('wave').notNull(),
    answers: jsonb('answers').notNull(),
    segments: jsonb('segments').notNull().default(sql`'{}'::jsonb`),
    source: responseSourceEnum('source').notNull(),
    invitationId: uuid('invitation_id').references(() => responseInvitations.id, { onDelete: 'set null' }),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('responses_survey_client_idx').on(t.surveyId, t.clientId),
    uniqueIndex('responses_receipt_idx').on(t.receipt),
    index('responses_org_survey_submitted_idx').on(t.organisationId, t.surveyId, t.submittedAt),
    uniqueIndex('responses_invitation_idx').on(t.invitationId),
  ],
)

/** Partial answers kept for save-and-resume on multi-page surveys; purged when submitted or expired. */
export const resumeTokens = pgTable('resume_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  organisationId: uuid('organisation_id')
    .notNull()
    .references(() => organisations.id, { onDelete: 'cascade' }),
  surveyId: uuid('survey_id')
    .notNull()
    .references(() => surveys.id, { onDelete: 'cascade' }),
  tokenHash: text('token_hash').notNull().unique(),
  data: jsonb('data').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  createdAt: createdAt(),
})

/** Known population counts for raking: one margin per variable, each summing to the total. */
export const populationProfiles = pgTable(
  'population_profiles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    total: bigint('total', { mode: 'number' }).notNull(),
    /** { variable: { level: count } } where variable is a segment name. */
    margins: jsonb('margins').notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [index('population_profiles_org_idx').on(t.organisationId)],
)

/** A target per measure (rating question) of a survey series, as a proportion satisfied. */
export const targets = pgTable(
  'targets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    seriesId: uuid('series_id').notNull(),
    measure: text('measure').notNull(),
    target: doublePrecision('target').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('targets_series_measure_idx').on(t.organisationId, t.seriesId, t.measure),
    check('targets_range', sql`${t.target} >= 0 and ${t.target} <= 1`),
  ],
)

export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('audit_log_org_at_idx').on(t.organisationId, t.at)],
)

/** Frozen evidence packs: a snapshot with its date and content hash, kept for the assessor. */
export const evidencePacks = pgTable(
  'evidence_packs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    contentHash: text('content_hash').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    /** The ZIP itself. Packs are small (tables, charts, notes), so the database keeps them with their hash. */
    content: text('content').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('evidence_packs_org_survey_idx').on(t.organisationId, t.surveyId)],
)
