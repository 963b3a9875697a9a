import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  date,
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
  /** Every member must sign in with a second factor (TOTP); admins must whatever this says (docs/security.md). */
  requireTwoFactor: boolean('require_two_factor').notNull().default(false),
  createdAt: createdAt(),
})

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    /** A platform operator: creates organisations and their first admins (/operator, cli/create-operator.ts).
     * Not a role in any organisation; set only from the command line. */
    isOperator: boolean('is_operator').notNull().default(false),
    /**
     * Two-factor sign-in (docs/decisions/015-totp.md): the TOTP secret (base32, 160 bits) once enrolment is
     * confirmed with a code; the last 30-second step accepted, so a code is never accepted twice.
     */
    totpSecret: text('totp_secret'),
    totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
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
    /** When the session last made a request (updated at most once a minute), and a coarse browser summary
     * such as "Firefox on Windows" (never the full user-agent string, never an address). */
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    userAgent: text('user_agent'),
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
 * A batch of invitations sent by e-mail (docs/decisions/020-email-invitations.md). Its recipients' single-use
 * links are ordinary rows of response_invitations (batch = `name`), so the response rate counts them like any
 * other invitation. `addresses_delete_after` is when the hourly job deletes its recipients' addresses at the
 * latest (the survey's closing, or 60 days after sending, whichever is sooner).
 */
export const invitationMailings = pgTable(
  'invitation_mailings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** 'smtp' or 'notify': how its messages leave. */
    transport: text('transport').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    remindersSent: integer('reminders_sent').notNull().default(0),
    lastReminderAt: timestamp('last_reminder_at', { withTimezone: true }),
    addressesDeleteAfter: timestamp('addresses_delete_after', { withTimezone: true }).notNull(),
    addressesDeletedAt: timestamp('addresses_deleted_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('invitation_mailings_survey_idx').on(t.organisationId, t.surveyId)],
)

/**
 * One addressee of a mailing. `email` and `link_token` (the plain single-use token, needed to put the same
 * link in a reminder) are personal data kept only until reminders can no longer be sent: they are set to null
 * when the person answers, opts out, finally fails, or the mailing's addresses are due for deletion. The
 * token's SHA-256 stays in response_invitations, so counts survive.
 */
export const invitationRecipients = pgTable(
  'invitation_recipients',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    mailingId: uuid('mailing_id')
      .notNull()
      .references(() => invitationMailings.id, { onDelete: 'cascade' }),
    invitationId: uuid('invitation_id')
      .notNull()
      .unique()
      .references(() => responseInvitations.id, { onDelete: 'cascade' }),
    email: text('email'),
    linkToken: text('link_token'),
    language: text('language').notNull(),
    /** queued → sent, or failed after every attempt. */
    status: text('status').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    /** The last failure's error code (never the server's reply text, which may quote the address). */
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /** The reminder now in hand: null, queued, sent or failed; `reminders_sent` counts those delivered. */
    reminderStatus: text('reminder_status'),
    reminderAttempts: integer('reminder_attempts').notNull().default(0),
    remindersSent: integer('reminders_sent').notNull().default(0),
    lastRemindedAt: timestamp('last_reminded_at', { withTimezone: true }),
    optedOutAt: timestamp('opted_out_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('invitation_recipients_mailing_idx').on(t.organisationId, t.mailingId),
    check('invitation_recipients_language', sql`${t.language} in ('en', 'cy')`),
    check('invitation_recipients_status', sql`${t.status} in ('queued', 'sent', 'failed')`),
  ],
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

/**
 * Published results (issue 14; docs/decisions/024-published-results-snapshots.md): the public rendering of the
 * insight report of a survey for a wave or a period, frozen when an analyst publishes it. `content` is never
 * recomputed; a newer snapshot of the same series supersedes it on the public page, and old ones stay listed.
 */
export const resultSnapshots = pgTable(
  'result_snapshots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    seriesId: uuid('series_id').notNull(),
    /** what was published: { kind: 'wave', wave } or { kind: 'period', from, to } (ISO dates) */
    scope: jsonb('scope').notNull(),
    /** the frozen public results (PublishedResults in app/services/results-snapshot.server.ts) */
    content: jsonb('content').notNull(),
    publishedBy: uuid('published_by').references(() => users.id, { onDelete: 'set null' }),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('result_snapshots_org_published_idx').on(t.organisationId, t.publishedAt)],
)

export const actionStatusEnum = pgEnum('action_status', ['planned', 'in_progress', 'completed', 'dropped'])

/**
 * "You said, we did" (issue 14, item 2): an action staff take on a finding of a survey series (a measure, a
 * customer group, a key driver or a comment theme), with its owner, due date, status and public wording.
 */
export const surveyActions = pgTable(
  'survey_actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    seriesId: uuid('series_id').notNull(),
    /** 'measure' | 'group' | 'driver' | 'theme' */
    findingKind: text('finding_kind').notNull(),
    /** a rating name (measure, driver), 'segment=value' (group), or a theme's id (survey_themes; older rows: its name) */
    finding: text('finding').notNull(),
    /** the measure whose change before and after the action is the evidence (1.3.5), if any */
    measure: text('measure'),
    title: text('title').notNull(),
    owner: text('owner').notNull(),
    dueDate: date('due_date'),
    status: actionStatusEnum('status').notNull().default('planned'),
    publicWording: text('public_wording').notNull().default(''),
    /** the public wording in Welsh (the public page falls back to English when it is empty) */
    publicWordingCy: text('public_wording_cy').notNull().default(''),
    showPublicly: boolean('show_publicly').notNull().default(false),
    /** the waves compared for the evidence: the last wave before the action and the first after it */
    waveBefore: text('wave_before'),
    waveAfter: text('wave_after'),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('survey_actions_org_series_idx').on(t.organisationId, t.seriesId),
    check('survey_actions_kind', sql`${t.findingKind} in ('measure', 'group', 'driver', 'theme')`),
  ],
)

/**
 * A survey's coding frame (issue 14, item 3): the themes analysts code its comments into, each with optional
 * keywords that suggest it (docs/decisions/025-comment-themes.md). Names are unique within a survey, ignoring case.
 */
export const surveyThemes = pgTable(
  'survey_themes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** words or phrases (string[]) whose presence in a comment suggests the theme; matched case-insensitively */
    keywords: jsonb('keywords').notNull().default(sql`'[]'::jsonb`),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('survey_themes_org_survey_idx').on(t.organisationId, t.surveyId),
    uniqueIndex('survey_themes_survey_name_idx').on(t.surveyId, sql`lower(${t.name})`),
  ],
)

/**
 * One comment coded into one theme: the comment is a response's answer to one free-text question. Deleting the
 * response (erasure, retention purge) or the theme deletes its codings (foreign keys, on delete cascade).
 */
export const responseCommentThemes = pgTable(
  'response_comment_themes',
  {
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    responseId: uuid('response_id')
      .notNull()
      .references(() => responses.id, { onDelete: 'cascade' }),
    questionName: text('question_name').notNull(),
    themeId: uuid('theme_id')
      .notNull()
      .references(() => surveyThemes.id, { onDelete: 'cascade' }),
    codedBy: uuid('coded_by').references(() => users.id, { onDelete: 'set null' }),
    codedAt: timestamp('coded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.responseId, t.questionName, t.themeId] }),
    index('response_comment_themes_theme_idx').on(t.themeId),
  ],
)

/*
 * Aggregates kept as responses arrive (docs/decisions/009-maintained-aggregates.md). Triggers on `responses`
 * (db/migrations/0001_maintained_aggregates.sql) add every inserted response and subtract every deleted one in
 * the same transaction, so these tables always equal a count over the responses. They hold raw answer values
 * (numeric answers as text, exactly as `answers->>question` reads them) and raw segment values; which values
 * count as satisfied is decided at read time from the survey's current metadata (db/queries/aggregates.ts).
 * Keys hash the jsonb objects (md5 of their text) so that long segment values cannot exceed the index row limit.
 * No foreign keys: a cascade from `surveys` or `organisations` deletes the responses, and their triggers empty
 * these rows in the same transaction. Every row carries `organisation_id`, the distribution key (docs/scaling.md).
 */

/** Responses per (survey version, wave, UTC day), with the first and last submission: the wave list. */
export const responseFieldwork = pgTable(
  'response_fieldwork',
  {
    organisationId: uuid('organisation_id').notNull(),
    surveyId: uuid('survey_id').notNull(),
    surveyVersionId: uuid('survey_version_id').notNull(),
    wave: text('wave').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    responses: bigint('responses', { mode: 'number' }).notNull(),
    firstAt: timestamp('first_at', { withTimezone: true }).notNull(),
    lastAt: timestamp('last_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'response_fieldwork_pk', columns: [t.organisationId, t.surveyId, t.wave, t.day, t.surveyVersionId] })],
)

/**
 * Responses per (wave, combination of every segment value), with the count of every numeric answer:
 * `answers` is { question: { value: count } }. Serves every request without a date filter.
 */
export const responseSegmentCells = pgTable(
  'response_segment_cells',
  {
    organisationId: uuid('organisation_id').notNull(),
    surveyId: uuid('survey_id').notNull(),
    wave: text('wave').notNull(),
    /** the response's segments, every value as text */
    segments: jsonb('segments').notNull(),
    segmentsKey: text('segments_key')
      .notNull()
      .generatedAlwaysAs(sql`md5(segments::text)`),
    responses: bigint('responses', { mode: 'number' }).notNull(),
    answers: jsonb('answers').notNull(),
  },
  (t) => [primaryKey({ name: 'response_segment_cells_pk', columns: [t.organisationId, t.surveyId, t.wave, t.segmentsKey] })],
)

/** Responses per (wave, whole pattern of numeric answers): key-driver input without segment or date filters. */
export const responseAnswerPatterns = pgTable(
  'response_answer_patterns',
  {
    organisationId: uuid('organisation_id').notNull(),
    surveyId: uuid('survey_id').notNull(),
    wave: text('wave').notNull(),
    /** { question: value } for every answer whose text is a plain decimal number */
    pattern: jsonb('pattern').notNull(),
    patternKey: text('pattern_key')
      .notNull()
      .generatedAlwaysAs(sql`md5(pattern::text)`),
    responses: bigint('responses', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ name: 'response_answer_patterns_pk', columns: [t.organisationId, t.surveyId, t.wave, t.patternKey] })],
)

/**
 * The key-driver variable sets (outcome first, then drivers) and scales that a read has asked for, per survey:
 * the fold keeps {@link responseDriverPairs} for each (db/migrations/0013_driver_pairs.sql). A read registers
 * its set on first use, which fills the pairs from {@link responseAnswerPatterns}.
 */
export const responseDriverSets = pgTable(
  'response_driver_sets',
  {
    organisationId: uuid('organisation_id').notNull(),
    surveyId: uuid('survey_id').notNull(),
    /** md5 of the variables and the scale (cse_driver_set_key) */
    driverSet: text('driver_set').notNull(),
    variables: text('variables').array().notNull(),
    /** the scale values as text, as the answers store them */
    scale: text('scale').array().notNull(),
    registeredAt: timestamp('registered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'response_driver_sets_pk', columns: [t.organisationId, t.surveyId, t.driverSet] })],
)

/**
 * Key-driver input without segment or date filters: per registered set and wave, the complete cases (every
 * variable of the set answered on its scale) counted by each pair of variables (x before y in the set) and
 * their two values. The pair tallies of analysis/aggregates.ts, a few hundred rows whatever the responses.
 */
export const responseDriverPairs = pgTable(
  'response_driver_pairs',
  {
    organisationId: uuid('organisation_id').notNull(),
    surveyId: uuid('survey_id').notNull(),
    driverSet: text('driver_set').notNull(),
    wave: text('wave').notNull(),
    x: text('x').notNull(),
    y: text('y').notNull(),
    xValue: text('x_value').notNull(),
    yValue: text('y_value').notNull(),
    responses: bigint('responses', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({
      name: 'response_driver_pairs_pk',
      columns: [t.organisationId, t.surveyId, t.driverSet, t.wave, t.x, t.y, t.xValue, t.yValue],
    }),
  ],
)

/** Responses per (wave, UTC day, segments, answer pattern): every request with a date filter, and filtered key drivers. */
export const responseDayCells = pgTable(
  'response_day_cells',
  {
    organisationId: uuid('organisation_id').notNull(),
    surveyId: uuid('survey_id').notNull(),
    wave: text('wave').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    segments: jsonb('segments').notNull(),
    segmentsKey: text('segments_key')
      .notNull()
      .generatedAlwaysAs(sql`md5(segments::text)`),
    pattern: jsonb('pattern').notNull(),
    patternKey: text('pattern_key')
      .notNull()
      .generatedAlwaysAs(sql`md5(pattern::text)`),
    responses: bigint('responses', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({
      name: 'response_day_cells_pk',
      columns: [t.organisationId, t.surveyId, t.wave, t.day, t.segmentsKey, t.patternKey],
    }),
  ],
)

/**
 * Responses per (wave, calendar period, combination of every segment value), with the count of every numeric
 * answer, as in `response_segment_cells`: `period` is 'day' (one UTC day from `period_start`) or 'month' (the
 * UTC calendar month that starts on `period_start`); every response counts once in each. Serves date filters:
 * a range reads its whole months and only its edge days, so its cost is bounded by segment combinations ×
 * (months + edge days), not by responses (docs/decisions/009-maintained-aggregates.md).
 */
export const responseCalendarCells = pgTable(
  'response_calendar_cells',
  {
    organisationId: uuid('organisation_id').notNull(),
    surveyId: uuid('survey_id').notNull(),
    wave: text('wave').notNull(),
    period: text('period').notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    /** the response's segments, every value as text */
    segments: jsonb('segments').notNull(),
    segmentsKey: text('segments_key')
      .notNull()
      .generatedAlwaysAs(sql`md5(segments::text)`),
    responses: bigint('responses', { mode: 'number' }).notNull(),
    answers: jsonb('answers').notNull(),
  },
  (t) => [
    primaryKey({
      name: 'response_calendar_cells_pk',
      columns: [t.organisationId, t.surveyId, t.wave, t.period, t.periodStart, t.segmentsKey],
    }),
  ],
)

/**
 * Responses written but not yet counted in the aggregate tables above (migration 0012, docs/decisions/009-maintained-aggregates.md).
 * A submission only appends its row here (no shared row to lock); the fold (`cse_aggregates_fold`) moves queued
 * responses into the aggregates in the background and before every aggregate read, so reads stay exact. No
 * foreign keys, like the aggregates: the triggers on `responses` remove a response's row when it is deleted.
 */
export const responseAggregateQueue = pgTable(
  'response_aggregate_queue',
  {
    organisationId: uuid('organisation_id').notNull(),
    surveyId: uuid('survey_id').notNull(),
    responseId: uuid('response_id').notNull(),
  },
  (t) => [primaryKey({ name: 'response_aggregate_queue_pk', columns: [t.organisationId, t.surveyId, t.responseId] })],
)

/**
 * Sign-in attempt counters shared by every app instance (docs/decisions/012-sign-in-limits.md), in the layout
 * rate-limiter-flexible's RateLimiterDrizzle reads and writes: one row per limited key (a prefix and a hash of
 * the account's e-mail or of the client's address, never the address itself), its points used in the current
 * window and when the window ends. Rows past their window are deleted by the limiter.
 */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull().default(0),
  expire: timestamp('expire', { withTimezone: true, mode: 'date' }),
})

/**
 * Password reset by e-mail (app/utils/account.server.ts): a 256-bit token sent to the address; only its SHA-256
 * is stored. It works once (consumed with one conditional UPDATE) and for 30 minutes.
 */
export const passwordResets = pgTable(
  'password_resets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('password_resets_user_idx').on(t.userId)],
)

/** Ten single-use recovery codes per user with two-factor sign-in; only their SHA-256 is stored (about 119 random bits each). */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('recovery_codes_user_code_idx').on(t.userId, t.codeHash)],
)

/**
 * The second step of sign-in: after a correct password for an account with two-factor sign-in, a 256-bit
 * token in a short-lived cookie names this row (its SHA-256 only); a valid code consumes it and starts the
 * session. It lasts 5 minutes.
 */
export const signInChallenges = pgTable('sign_in_challenges', {
  id: uuid('id').primaryKey().defaultRandom(),
  tokenHash: text('token_hash').notNull().unique(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  redirectTo: text('redirect_to').notNull().default('/app'),
  /** The organisation the session starts in (the one just joined by invitation); else the first. */
  organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: createdAt(),
})
