/**
 * npm run operator:create -- --email you@example.org [--name "Your Name"]
 *
 * Makes a platform operator: the person who creates organisations (npm run org:create, /operator/organisations).
 * An existing account becomes an operator and keeps its password. For a new address the password is read from
 * standard input (typed without echo at a terminal, or piped: `printf '%s' "$PW" | npm run operator:create …`),
 * checked against the password policy (app/utils/password-policy.ts) and stored only as an argon2id hash: there
 * is no default or printed password. Operators must use two-factor sign-in: the first sign-in asks them to set it
 * up with an authenticator app (/operator/two-factor) before the operator's page opens. It opens the database the
 * server would (DATABASE_URL, else PGlite in PGLITE_DIR; an optional .env is read) and migrates it first.
 * Exit code 0 = done, 2 = invalid input, 1 = failed.
 */
import { existsSync } from 'node:fs'
import { register } from 'node:module'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { getEnv } from '#app/env.server.ts'
import { openDatabase } from '#db/client.ts'
import { hashPassword } from '#db/passwords.ts'
import { createUser, findUserByEmail, writeAudit } from '#db/queries/accounts.ts'
import { setOperator } from '#db/queries/operators.ts'

/** The whole of standard input, or a line typed at a terminal without echo. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
  }
  process.stdout.write('Choose a password for the new operator account (not shown): ')
  return new Promise((resolve) => {
    let text = ''
    process.stdin.setRawMode(true)
    process.stdin.resume()
    process.stdin.setEncoding('utf8')
    const onData = (key: string) => {
      for (const ch of key) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          process.stdin.setRawMode(false)
          process.stdin.pause()
          process.stdin.off('data', onData)
          process.stdout.write('\n')
          resolve(text)
          return
        }
        if (ch === '\u0003') process.exit(130)
        if (ch === '\u007f') text = text.slice(0, -1)
        else text += ch
      }
    }
    process.stdin.on('data', onData)
  })
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' } }, strict: true })
  const email = z.string().trim().toLowerCase().max(254).email().safeParse(values.email ?? '')
  if (!email.success) {
    console.error('Usage: npm run operator:create -- --email you@example.org [--name "Your Name"]')
    return 2
  }
  const envFile = path.join(process.cwd(), '.env')
  if (existsSync(envFile)) process.loadEnvFile(envFile)
  const env = getEnv()
  const handle = await openDatabase({ url: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR, poolMax: 2 })
  try {
    await handle.migrate()
    const db = handle.db
    let user = await findUserByEmail(db, email.data)
    if (user) {
      console.log(`${email.data} already has an account; it keeps its password.`)
    } else {
      const password = await readPassword()
      // The policy reads its common-password list with Vite's `?raw` import; these hooks do the same here.
      register('./raw-import-hooks.mjs', import.meta.url)
      const { passwordProblem } = await import('#app/utils/password-policy.ts')
      const problem = passwordProblem(password, { email: email.data, name: values.name })
      if (problem) {
        console.error(problem)
        return 2
      }
      user = await createUser(db, email.data, values.name?.trim() || email.data, await hashPassword(password))
    }
    await setOperator(db, user.id, true)
    await writeAudit(db, { organisationId: null, userId: user.id, action: 'operator.granted', targetType: 'user', targetId: user.id, details: { via: 'cli' } })
    console.log(`${email.data} is a platform operator. Sign in at ${env.PUBLIC_ORIGIN ?? `http://localhost:${env.PORT}`}/login with an authenticator app to hand:`)
    console.log('operators must use two-factor sign-in, and the first sign-in sets it up. Then open /operator/organisations,')
    console.log('or run: npm run org:create -- --name "Organisation name" --slug short-name --admin-email first.admin@example.org')
    return 0
  } finally {
    await handle.close()
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(`operator:create failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  },
)
