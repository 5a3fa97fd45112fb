import { createRequire } from 'node:module'
// Types only: the package is optional and loaded, when this runtime needs it, by load().
import type BetterSqlite3Module from 'better-sqlite3'

/**
 * The one seam between orgctl and SQLite: the few calls the sandbox store and the bulk journal make,
 * over either the built-in `node:sqlite` (Node.js 24 and later, where it loads without an experimental
 * warning) or the optional dependency better-sqlite3 12 (Node.js 20 and 22; on 24.19 and later its
 * addon aborts at random, nodejs/node#65446). Nothing else in the project imports a SQLite package.
 *
 * The differences this hides: node:sqlite has no `.pragma()`, `.transaction()` or `.pluck()` (use SQL
 * and {@link immediate}), returns rows with a null prototype, returns `lastInsertRowid` as a number or
 * a bigint, rejects named parameters that the SQL does not use, and reports errors as
 * `ERR_SQLITE_ERROR` with a numeric `errcode` (normalised by {@link sqliteErrorCode}).
 * This module imports nothing of the project (lint keeps it so): the server and the CLI's bulk journal share it.
 */

export type DriverName = 'node:sqlite' | 'better-sqlite3'

/** Parameters: positional values, or one object whose keys are the SQL's `@name`s without the `@`. */
export type Params = unknown[]

export interface RunResult {
  changes: number
  lastInsertRowid: number
}

export interface Statement {
  run(...params: Params): RunResult
  get(...params: Params): unknown
  all(...params: Params): unknown[]
  /** Rows one at a time; the statement must not be run again until the iteration ends. */
  iterate(...params: Params): IterableIterator<unknown>
}

export interface Database {
  readonly driver: DriverName
  readonly open: boolean
  /** True between BEGIN and COMMIT/ROLLBACK. */
  readonly inTransaction: boolean
  prepare(sql: string): Statement
  exec(sql: string): void
  close(): void
}

export interface OpenOptions {
  /** Milliseconds to wait for another connection's lock before SQLITE_BUSY (PRAGMA busy_timeout). */
  busyTimeoutMs?: number
  /** Open read-only (the file must exist). */
  readonly?: boolean
}

/** Neither driver can be loaded: the sandbox cannot run here (commands against a remote API still can). */
export class SqliteUnavailableError extends Error {
  override readonly name = 'SqliteUnavailableError'
  readonly code = 'ORGCTL_SQLITE_UNAVAILABLE'
}

/** Which driver this runtime should use: node:sqlite from Node.js 24 on, better-sqlite3 before. */
export function preferredDriver(nodeVersion: string = process.versions.node): DriverName {
  return Number.parseInt(nodeVersion, 10) >= 24 ? 'node:sqlite' : 'better-sqlite3'
}

const nodeRequire = createRequire(import.meta.url)

interface Loaded {
  name: DriverName
  version: string
  open(path: string, readonly: boolean): Database
}

let loaded: Loaded | undefined

/**
 * The driver in use (loaded once): its name and version, e.g. for `orgctl doctor` and CI logs.
 * @throws SqliteUnavailableError when it cannot be loaded.
 */
export function sqliteDriver(): { name: DriverName; version: string } {
  const { name, version } = load()
  return { name, version }
}

function load(): Loaded {
  if (loaded) return loaded
  const name = preferredDriver()
  loaded = name === 'node:sqlite' ? loadNodeSqlite() : loadBetterSqlite3()
  return loaded
}

/** Opens (creating if missing) the SQLite file at `path`. */
export function openDatabase(path: string, options: OpenOptions = {}): Database {
  const db = load().open(path, options.readonly === true)
  if (options.busyTimeoutMs !== undefined)
    db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs)}`)
  return db
}

/**
 * Runs `fn` in a BEGIN IMMEDIATE transaction: the write lock is taken at the start, so that processes
 * sharing the file serialise instead of failing with SQLITE_BUSY at their first write. Commits when `fn`
 * returns, rolls back when it throws. Not re-entrant: `fn` must not call it again.
 */
export function immediate<T>(db: Database, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE')
  let result: T
  try {
    result = fn()
  } catch (error) {
    // An error after which SQLite rolled back by itself (SQLITE_FULL, ...) leaves no transaction to end.
    if (db.inTransaction) db.exec('ROLLBACK')
    throw error
  }
  try {
    db.exec('COMMIT')
  } catch (error) {
    // As better-sqlite3's .transaction(): a COMMIT that fails leaves nothing half-open.
    if (db.inTransaction) db.exec('ROLLBACK')
    throw error
  }
  return result
}

const RESULT_CODES: Record<number, string> = {
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  19: 'SQLITE_CONSTRAINT',
  26: 'SQLITE_NOTADB',
}

/** SQLite's primary result code of an error from either driver ('SQLITE_BUSY', ...), or undefined. */
export function sqliteErrorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; errcode?: unknown } | null
  if (typeof e?.errcode === 'number') return RESULT_CODES[e.errcode & 0xff] ?? `SQLITE_${e.errcode & 0xff}`
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_'))
    return e.code.replace(/^(SQLITE_[A-Z]+).*$/, '$1')
  return undefined
}

function unavailable(name: DriverName, cause: unknown): SqliteUnavailableError {
  const reason = (cause as { message?: string })?.message?.split('\n')[0] ?? String(cause)
  const need =
    name === 'node:sqlite'
      ? `the built-in node:sqlite of Node.js ${process.versions.node} could not be loaded (${reason})`
      : `it uses the optional dependency better-sqlite3 on Node.js ${process.versions.node}, which could not be loaded (${reason}); ` +
        `install orgctl with optional dependencies and a C++ toolchain (npm rebuild better-sqlite3 builds it for this Node.js), ` +
        `or run orgctl on Node.js 24 or later, which has SQLite built in`
  return new SqliteUnavailableError(
    `The local sandbox needs SQLite: ${need}. Commands against a remote API (--api-url or a profile) work without it.`,
    { cause },
  )
}

/** The part of node:sqlite used here (@types/node 20, the oldest line supported, does not describe it). */
interface NodeSqlite {
  DatabaseSync: new (
    path: string,
    options?: { readOnly?: boolean },
  ) => {
    readonly isTransaction: boolean
    prepare(sql: string): {
      run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint }
      get(...params: unknown[]): Record<string, unknown> | undefined
      all(...params: unknown[]): Record<string, unknown>[]
      iterate(...params: unknown[]): IterableIterator<Record<string, unknown>>
      setAllowUnknownNamedParameters(enabled: boolean): void
    }
    exec(sql: string): void
    close(): void
  }
}

function loadNodeSqlite(): Loaded {
  let sqlite: NodeSqlite
  try {
    sqlite = nodeRequire('node:sqlite') as NodeSqlite
  } catch (error) {
    throw unavailable('node:sqlite', error)
  }
  const version = (
    new sqlite.DatabaseSync(':memory:').prepare('SELECT sqlite_version() AS v').get() as { v: string }
  ).v
  return {
    name: 'node:sqlite',
    version: `node:sqlite (Node.js ${process.versions.node}, SQLite ${version})`,
    open(path, readonly) {
      const db = new sqlite.DatabaseSync(path, { readOnly: readonly })
      let open = true
      return {
        driver: 'node:sqlite',
        get open() {
          return open
        },
        get inTransaction() {
          return db.isTransaction
        },
        prepare(sql) {
          const statement = db.prepare(sql)
          // As better-sqlite3: keys of a parameter object that the SQL does not name are ignored.
          statement.setAllowUnknownNamedParameters(true)
          return {
            run: (...params) => {
              const r = statement.run(...params)
              return { changes: Number(r.changes), lastInsertRowid: Number(r.lastInsertRowid) }
            },
            // Rows as plain objects, as better-sqlite3 gives them (node:sqlite's have a null prototype).
            get: (...params) => {
              const row = statement.get(...params)
              return row === undefined ? undefined : { ...row }
            },
            all: (...params) => statement.all(...params).map((row) => ({ ...row })),
            iterate: function* (...params) {
              for (const row of statement.iterate(...params)) yield { ...row }
            },
          }
        },
        exec: (sql) => db.exec(sql),
        close() {
          if (!open) return
          open = false
          db.close()
        },
      }
    },
  }
}

function loadBetterSqlite3(): Loaded {
  let BetterSqlite3: typeof BetterSqlite3Module
  let version: string
  try {
    BetterSqlite3 = nodeRequire('better-sqlite3') as typeof BetterSqlite3Module
    version = (nodeRequire('better-sqlite3/package.json') as { version: string }).version
    // The addon loads on first use: a build for another Node.js fails here, not at the first command.
    new BetterSqlite3(':memory:').close()
  } catch (error) {
    throw unavailable('better-sqlite3', error)
  }
  return {
    name: 'better-sqlite3',
    version: `better-sqlite3 ${version} (Node.js ${process.versions.node})`,
    open(path, readonly) {
      const db = new BetterSqlite3(path, { readonly, fileMustExist: readonly })
      return {
        driver: 'better-sqlite3',
        get open() {
          return db.open
        },
        get inTransaction() {
          return db.inTransaction
        },
        prepare(sql) {
          const statement = db.prepare(sql)
          return {
            run: (...params) => {
              const r = statement.run(...params)
              return { changes: r.changes, lastInsertRowid: Number(r.lastInsertRowid) }
            },
            get: (...params) => statement.get(...params),
            all: (...params) => statement.all(...params),
            iterate: (...params) => statement.iterate(...params),
          }
        },
        exec: (sql) => {
          db.exec(sql)
        },
        close() {
          if (db.open) db.close()
        },
      }
    },
  }
}
