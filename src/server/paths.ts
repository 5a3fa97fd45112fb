import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The numbered SQL migrations, found from this file: src/server/paths.ts, tsc's dist/server/paths.js and
 * the server bundle dist/server/sandbox.js (scripts/build.mjs) all sit beside `migrations/`.
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url))

function stem(dbPath: string): string {
  return join(dirname(dbPath), basename(dbPath).replace(/\.db$/, ''))
}

/** The outbox database beside a sandbox database: `x/sandbox.db` → `x/sandbox.outbox.db`. */
export function outboxPath(dbPath: string): string {
  return `${stem(dbPath)}.outbox.db`
}

/** The avatar folder beside a sandbox database: `x/sandbox.db` → `x/sandbox.media`. */
export function mediaPath(dbPath: string): string {
  return `${stem(dbPath)}.media`
}
