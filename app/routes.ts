import { type RouteConfig, index, layout, prefix, route } from '@remix-run/route-config'

/*
 * Every route is listed here. Staff routes live under /app and each one calls requirePermission; the tenant
 * isolation test enumerates this manifest, so a new staff route that is not classified fails the suite.
 */
export default [
  index('routes/index.tsx'),
  route('login', 'routes/login.tsx'),
  route('logout', 'routes/logout.tsx'),
  route('healthz', 'routes/healthz.tsx'),
  route('invite/:token', 'routes/invite.$token.tsx'),

  // Respondents (public)
  route('s/:slug', 'routes/s.$slug.tsx'),
  route('s/:slug/thanks', 'routes/s.$slug.thanks.tsx'),

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
      // Organisation: members and roles, switching organisation, the audit log
      route('settings/users', 'routes/app.settings.users.tsx'),
      // Insight settings: population profiles (weighting) and targets per measure
      route('settings/population', 'routes/app.settings.population.tsx'),
      route('settings/targets', 'routes/app.settings.targets.tsx'),
      route('switch-organisation', 'routes/app.switch-organisation.tsx'),
      route('audit', 'routes/app.audit.tsx'),
      // The survey builder: create from a template, overview, edit, preview, publish, next wave, JSON import/export
      route('surveys/new', 'routes/app.surveys.new.tsx'),
      route('surveys/import-json', 'routes/app.surveys.import-json.tsx'),
      route('surveys/:surveyId', 'routes/app.surveys.$surveyId.tsx'),
      route('surveys/:surveyId/edit', 'routes/app.surveys.$surveyId.edit.tsx'),
      route('surveys/:surveyId/preview', 'routes/app.surveys.$surveyId.preview.tsx'),
      route('surveys/:surveyId/export-json', 'routes/app.surveys.$surveyId.export-json.tsx'),
      // Collecting responses: links and QR codes, single-use invitations, imports
      route('surveys/:surveyId/distribute', 'routes/app.surveys.$surveyId.distribute.tsx'),
      route(
        'surveys/:surveyId/distribute/qr/:format',
        'routes/app.surveys.$surveyId.distribute.qr.$format.ts',
      ),
      route('surveys/:surveyId/invitations', 'routes/app.surveys.$surveyId.invitations.tsx'),
      route('surveys/:surveyId/invitations/download', 'routes/app.surveys.$surveyId.invitations.download.ts'),
      route('surveys/:surveyId/import', 'routes/app.surveys.$surveyId.import.tsx'),
      route('surveys/:surveyId/import/stream', 'routes/app.surveys.$surveyId.import.stream.ts'),
      // Insight: the dashboard (satisfaction by group, weighting, key drivers, trends and targets)
      route('surveys/:surveyId/dashboard', 'routes/app.surveys.$surveyId.dashboard.tsx'),
      route('surveys/:surveyId/comments', 'routes/app.surveys.$surveyId.comments.tsx'),
      // Exports and the CSE evidence pack (downloads are resource routes; every export is audited)
      route('surveys/:surveyId/exports', 'routes/app.surveys.$surveyId.exports.tsx'),
      route('surveys/:surveyId/exports/download', 'routes/app.surveys.$surveyId.exports.download.ts'),
      route('surveys/:surveyId/exports/packs', 'routes/app.surveys.$surveyId.exports.packs.ts'),
      route('surveys/:surveyId/exports/packs/:packId', 'routes/app.surveys.$surveyId.exports.packs.$packId.ts'),
    ]),
  ]),
] satisfies RouteConfig
