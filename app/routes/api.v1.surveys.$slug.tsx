import type { LoaderFunctionArgs } from '@remix-run/node'
import { isSafeParam } from '#app/utils/params.ts'
import { getPublicSurvey, jsonResponse } from './api.v1.surveys.$slug.server.ts'

export async function loader({ params }: LoaderFunctionArgs) {
  if (!isSafeParam(params.slug))
    return jsonResponse({ error: 'not_found', message: 'No published survey has this address.' }, 404)
  return getPublicSurvey(params.slug)
}
