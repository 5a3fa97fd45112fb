import { basename, dirname, join } from 'node:path'

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
