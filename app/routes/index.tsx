import type { LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { getSession } from '#app/utils/auth.server.ts'

export async function loader({ request }: LoaderFunctionArgs) {
  return redirect((await getSession(request)) ? '/app' : '/login')
}
