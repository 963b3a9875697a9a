import type { ActionFunctionArgs } from '@remix-run/node'
import { isSafeParam } from '#app/utils/params.ts'
import { jsonResponse, postResponse } from './api.v1.surveys.$slug.server.ts'

export async function loader() {
  return jsonResponse({ error: 'method_not_allowed', message: 'Use POST to submit a response.' }, 405, {
    Allow: 'POST',
  })
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  if (!isSafeParam(params.slug))
    return jsonResponse({ error: 'not_found', message: 'No published survey has this address.' }, 404)
  return postResponse(request, params.slug, context.clientKey)
}
