import type { ActionFunctionArgs } from '@remix-run/node'

/**
 * Posts a form to a route's action as the browser would (cookie, same Origin) and returns the outcome as a
 * Response: a redirect, a thrown Response (403, 404), or `data(…, { status })` turned into JSON with its status.
 */
export async function postForm(
  action: (args: ActionFunctionArgs) => Promise<unknown>,
  url: string,
  params: Record<string, string>,
  cookie: string,
  body: Record<string, string>,
): Promise<Response> {
  const request = new Request(url, {
    method: 'POST',
    headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', Origin: new URL(url).origin },
    body: new URLSearchParams(body).toString(),
  })
  try {
    const out = await action({ request, params, context: {} })
    if (out instanceof Response) return out
    const d = out as { data: unknown; init: ResponseInit | null }
    return new Response(JSON.stringify(d.data), { status: d.init?.status ?? 200 })
  } catch (thrown) {
    if (thrown instanceof Response) return thrown
    throw thrown
  }
}
