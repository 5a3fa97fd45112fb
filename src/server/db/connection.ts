import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import {
  immediate,
  openDatabase,
  type Database,
  type RunResult,
  type Statement,
} from '../../sqlite/driver.js'
import { migrate } from './migrations.js'

/**
 * The sandbox's connection: the main database with the outbox ATTACHed as `outbox`, migrated, with a
 * statement cache and the IMMEDIATE transaction helper the repositories share. Every change of more
 * than one row runs in one {@link Db.immediate} transaction, so that processes sharing the file
 * serialise instead of interleaving.
 */
export class Db {
  readonly sqlite: Database
  private readonly statements = new Map<string, Statement>()

  constructor(dbPath: string, outboxPath: string) {
    mkdirSync(dirname(dbPath), { recursive: true })
    // Both files hold secrets' hashes, and the outbox holds invite tokens: owner-only, whatever the
    // umask. SQLite gives the -wal and -shm files the main file's mode.
    for (const file of [dbPath, outboxPath]) privateFile(file)
    this.sqlite = openDatabase(dbPath, { busyTimeoutMs: 5000 })
    try {
      this.sqlite.exec('PRAGMA journal_mode = WAL')
      // NORMAL in WAL: a commit is in the WAL file before COMMIT returns, so it survives SIGKILL.
      this.sqlite.exec('PRAGMA synchronous = NORMAL')
      this.sqlite.exec('PRAGMA foreign_keys = ON')
      this.sqlite.prepare('ATTACH DATABASE ? AS outbox').run(outboxPath)
      this.sqlite.exec('PRAGMA outbox.journal_mode = WAL')
      this.sqlite.exec('PRAGMA outbox.synchronous = NORMAL')
      migrate(this)
    } catch (error) {
      this.sqlite.close()
      throw error
    }
  }

  /**
   * The prepared statement for `sql`, prepared once per connection: preparing costs more than running
   * most of these queries. None is iterated, so sharing one is never re-entrant. The few texts built
   * at run time are bounded: the SET lists of updateOrganization, and the IN lists of the members
   * repository (at most 100 marks, the page size cap).
   */
  stmt(sql: string): Statement {
    let statement = this.statements.get(sql)
    if (!statement) {
      statement = this.sqlite.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement
  }

  /** The first row of `sql`, or undefined. */
  get<R>(sql: string, ...params: unknown[]): R | undefined {
    return this.stmt(sql).get(...params) as R | undefined
  }

  all<R>(sql: string, ...params: unknown[]): R[] {
    return this.stmt(sql).all(...params) as R[]
  }

  run(sql: string, ...params: unknown[]): RunResult {
    return this.stmt(sql).run(...params)
  }

  /** Runs `fn` in one BEGIN IMMEDIATE transaction (not nested). */
  immediate<T>(fn: () => T): T {
    return immediate(this.sqlite, fn)
  }

  close(): void {
    this.statements.clear()
    this.sqlite.close()
  }
}

/** Creates `file` if missing and makes it readable and writable by its owner only. */
function privateFile(file: string): void {
  closeSync(openSync(file, 'a', 0o600))
  chmodSync(file, 0o600)
}
