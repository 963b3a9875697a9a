import { type RouteConfig, index, layout, prefix, route } from '@remix-run/route-config'

/*
 * Every route is listed here. Staff routes live under /app and each one calls requirePermission; the tenant
 * isolation test enumerates this manifest, so a new staff route that is not classified fails the suite.
 */
export default [
  index('routes/index.tsx'),
  route('login', 'routes/login.tsx'),
  // The second sign-in step (TOTP or a recovery code) and password reset by e-mail (docs/security.md)
  route('login/two-factor', 'routes/login.two-factor.tsx'),
  route('forgot-password', 'routes/forgot-password.tsx'),
  route('reset-password', 'routes/reset-password.tsx'),
  route('logout', 'routes/logout.tsx'),
  route('healthz', 'routes/healthz.tsx'),
  route('invite/:token', 'routes/invite.$token.tsx'),
  // Platform operators only (404 for everyone else): organisations and their first admins
  route('operator/organisations', 'routes/operator.organisations.tsx'),
  route('operator/two-factor', 'routes/operator.two-factor.tsx'),

  // Respondents (public)
  route('s/:slug', 'routes/s.$slug.tsx'),
  route('s/:slug/thanks', 'routes/s.$slug.thanks.tsx'),
  // Stop e-mail reminders and delete one's address (the link in every invitation e-mail)
  route('s/:slug/opt-out', 'routes/s.$slug.opt-out.tsx'),

  // Published results and "You said, we did" (public, no login; issue 14)
  route('results/:orgSlug', 'routes/results.$orgSlug.tsx'),
  route('results/:orgSlug/:snapshotId', 'routes/results.$orgSlug.$snapshotId.tsx'),
  route('results/:orgSlug/:snapshotId/csv', 'routes/results.$orgSlug.$snapshotId.csv.ts'),

  // Public JSON API (docs/api.md)
  ...prefix('api/v1', [
    route('surveys/:slug', 'routes/api.v1.surveys.$slug.tsx'),
    route('surveys/:slug/responses', 'routes/api.v1.surveys.$slug.responses.tsx'),
    route('surveys/:slug/resume', 'routes/api.v1.surveys.$slug.resume.tsx'),
  ]),

  // Staff
  layout('routes/app.tsx', [
    ...prefix('app', [
      index('routes/app._index.tsx'),
      // One's own account: password, two-factor sign-in, sessions
      route('account', 'routes/app.account.tsx'),
      route('account/two-factor', 'routes/app.account.two-factor.tsx'),
      route('account/sessions', 'routes/app.account.sessions.tsx'),
      // Organisation: members and roles, switching organisation, the audit log
      route('settings/users', 'routes/app.settings.users.tsx'),
      // Insight settings: population profiles (weighting) and targets per measure
      route('settings/population', 'routes/app.settings.population.tsx'),
      route('settings/targets', 'routes/app.settings.targets.tsx'),
      route('switch-organisation', 'routes/app.switch-organisation.tsx'),
      route('audit', 'routes/app.audit.tsx'),
      // A customer's data rights: find a response by its receipt, export it, erase it
      route('responses', 'routes/app.responses.tsx'),
      route('responses/:responseId', 'routes/app.responses.$responseId.tsx'),
      route('responses/:responseId/export', 'routes/app.responses.$responseId.export.ts'),
      // The survey builder: create from a template, overview, edit, preview, publish, next wave, JSON import/export
      route('surveys/new', 'routes/app.surveys.new.tsx'),
      route('surveys/import-json', 'routes/app.surveys.import-json.tsx'),
      route('surveys/:surveyId', 'routes/app.surveys.$surveyId.tsx'),
      route('surveys/:surveyId/edit', 'routes/app.surveys.$surveyId.edit.tsx'),
      // Mapping an imported SurveyJS survey's ratings to drivers and codings, and its segments (decision 023)
      route('surveys/:surveyId/mapping', 'routes/app.surveys.$surveyId.mapping.tsx'),
      route('surveys/:surveyId/preview', 'routes/app.surveys.$surveyId.preview.tsx'),
      route('surveys/:surveyId/export-json', 'routes/app.surveys.$surveyId.export-json.tsx'),
      // How long responses are kept: admins change it after seeing what the next purge would delete
      route('surveys/:surveyId/retention', 'routes/app.surveys.$surveyId.retention.tsx'),
      // Collecting responses: links and QR codes, single-use invitations, imports
      route('surveys/:surveyId/distribute', 'routes/app.surveys.$surveyId.distribute.tsx'),
      route(
        'surveys/:surveyId/distribute/qr/:format',
        'routes/app.surveys.$surveyId.distribute.qr.$format.ts',
      ),
      route('surveys/:surveyId/invitations', 'routes/app.surveys.$surveyId.invitations.tsx'),
      route('surveys/:surveyId/invitations/download', 'routes/app.surveys.$surveyId.invitations.download.ts'),
      // Invitations and reminders by e-mail, with progress and the response rate by batch
      route('surveys/:surveyId/invitations/email', 'routes/app.surveys.$surveyId.invitations.email.tsx'),
      route('surveys/:surveyId/import', 'routes/app.surveys.$surveyId.import.tsx'),
      route('surveys/:surveyId/import/stream', 'routes/app.surveys.$surveyId.import.stream.ts'),
      route('surveys/:surveyId/import/template', 'routes/app.surveys.$surveyId.import.template.ts'),
      // Insight: the dashboard (satisfaction by group, weighting, key drivers, trends and targets)
      route('surveys/:surveyId/dashboard', 'routes/app.surveys.$surveyId.dashboard.tsx'),
      route('surveys/:surveyId/comments', 'routes/app.surveys.$surveyId.comments.tsx'),
      // Comment themes: the coding frame, bulk coding from keyword suggestions, frequency by group and driver
      route('surveys/:surveyId/themes', 'routes/app.surveys.$surveyId.themes.tsx'),
      // Exports and the CSE evidence pack (downloads are resource routes; every export is audited)
      route('surveys/:surveyId/exports', 'routes/app.surveys.$surveyId.exports.tsx'),
      route('surveys/:surveyId/exports/download', 'routes/app.surveys.$surveyId.exports.download.ts'),
      route('surveys/:surveyId/exports/packs', 'routes/app.surveys.$surveyId.exports.packs.ts'),
      route('surveys/:surveyId/exports/packs/:packId', 'routes/app.surveys.$surveyId.exports.packs.$packId.ts'),
      // Publishing results to the public page, and "You said, we did" actions (issue 14)
      route('surveys/:surveyId/results', 'routes/app.surveys.$surveyId.results.tsx'),
      route('surveys/:surveyId/actions', 'routes/app.surveys.$surveyId.actions.tsx'),
    ]),
  ]),
] satisfies RouteConfig
