import { readdirSync, readFileSync } from 'node:fs'
import type { Db } from './connection.js'
import { MIGRATIONS_DIR } from '../paths.js'

/**
 * The outbox's one table. It lives in its own file (docs/ARCHITECTURE.md says why), which can outlive
 * the main database or go missing without it, so it is not a numbered migration of the main file:
 * it is made here, idempotently, on every open.
 */
const OUTBOX_SCHEMA = `CREATE TABLE IF NOT EXISTS outbox.messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  to_email TEXT NOT NULL,
  subject TEXT NOT NULL,
  text TEXT NOT NULL,
  invite_token TEXT NOT NULL,
  organization_id TEXT NOT NULL,
  created_at TEXT NOT NULL
)`

/**
 * Brings the main database to the newest schema (PRAGMA user_version counts the applied files), one
 * IMMEDIATE transaction per file, then makes sure the outbox has its table.
 */
export function migrate(db: Db): void {
  // Numbered SQL files (`001_init.sql`, ...); the build copies them to dist/server/migrations.
  const dir = MIGRATIONS_DIR
  const files = readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort()
  // An up-to-date database (every start but the first) is told by one read, without a write lock.
  const newest = Math.max(0, ...files.map((f) => Number.parseInt(f, 10)))
  if (userVersion(db) >= newest) {
    db.sqlite.exec(OUTBOX_SCHEMA)
    return
  }
  for (const file of files) {
    const version = Number.parseInt(file, 10)
    db.immediate(() => {
      // Re-read inside the lock: another process may have migrated while we waited.
      const current = userVersion(db)
      if (current >= version) return
      if (current === 0) {
        // A new main database beside an old outbox (sandbox.db deleted, sandbox.outbox.db kept): the
        // outbox's messages invite people to organizations that no longer exist. Start it afresh.
        db.sqlite.exec('DROP TABLE IF EXISTS outbox.messages')
      }
      db.sqlite.exec(readFileSync(`${dir}/${file}`, 'utf8'))
      db.sqlite.exec(`PRAGMA user_version = ${version}`)
    })
  }
  db.sqlite.exec(OUTBOX_SCHEMA)
}

function userVersion(db: Db): number {
  return (db.sqlite.prepare('PRAGMA user_version').get() as { user_version: number }).user_version
}
