import { createHash, randomUUID } from 'node:crypto'
import { lstatSync, type Stats } from 'node:fs'
import { join } from 'node:path'

import { openDatabase, sqliteErrorCode, type Database, type Statement } from '../sqlite/driver.js'

import { octalMode, ownedByOther, privateDirSync, privateFileSync } from '../core/private-files.js'
import { JournalError } from './errors.js'

export { JournalError } from './errors.js'

/**
 * A row's life: `pending` (journaled, key assigned) → `sending` (durably marked before the request goes out)
 * → `sent` | `skipped` (409: already a member or invited) | `failed`. `invalid` rows are never sent.
 */
export type RowState = 'pending' | 'sending' | 'sent' | 'skipped' | 'invalid' | 'failed'

/** The final outcome of a request, as {@link Journal.markDone} records it. */
export type DoneState = 'sent' | 'skipped' | 'failed'

/** One journaled row. */
export interface JournalEntry {
  line: number
  email: string | null
  state: RowState
  /** Generated once, when the row is first journaled, and sent with every attempt of this row. */
  idempotencyKey: string
  lastError: string | null
  /** Requests started for this row, in all runs. */
  attempts: number
  /** Milliseconds since the epoch. */
  updatedAt: number
  /**
   * Whether the row still has to be sent: `pending`, `sending` (a previous run may or may not have reached
   * the server; the same key makes a re-send safe) or `failed` (retried on resume with the same key).
   */
  needsSend: boolean
}

/** Counts of a journal's rows. */
export interface JournalStatus {
  counts: Record<RowState, number>
  total: number
  /** True when the journal already held rows when it was opened: this run continues an earlier one. */
  resumed: boolean
  /** Rows left `sending` by an earlier run that stopped before their answer was recorded. */
  inFlightAtOpen: number
}

/** Options of {@link openJournal}. */
export interface OpenJournalOptions {
  /** Folder of the journals (the CLI passes `<data dir>/journals`); created if missing. */
  dir: string
  organizationId: string
  /** Identity of the input, e.g. the SHA-256 of its bytes (see docs/BULK.md). */
  inputKey: string
  /** Clock, for tests. */
  now?: () => number
  /** Buffered writes are committed after this many operations (default 2,000)... */
  maxBatchOps?: number
  /** ...or once the oldest is this old, at the next operation (default 250 ms). */
  maxBatchMs?: number
}

const STATES: readonly RowState[] = ['pending', 'sending', 'sent', 'skipped', 'invalid', 'failed']
const SCHEMA_VERSION = 1

interface RowRecord {
  line: number
  email: string | null
  state: RowState
  idempotency_key: string
  last_error: string | null
  attempts: number
  updated_at: number
}

/** Where the journal of this organization and input lives; the same arguments always give the same file. */
export function journalPath(dir: string, organizationId: string, inputKey: string): string {
  const digest = createHash('sha256').update(`${organizationId}\0${inputKey}`).digest('hex').slice(0, 24)
  const readable = organizationId.replace(/[^A-Za-z0-9-]/g, '_').slice(0, 64)
  return join(dir, `${readable}-${digest}.journal.db`)
}

/**
 * Opens (or creates) the journal of one bulk run: one SQLite file per organization and input, so that running
 * the same command again resumes where the last run stopped.
 *
 * The file is held with an exclusive lock while open, which the OS releases if the process dies.
 * @throws JournalError `LOCKED` when another process has it open; `MISMATCH` when the file belongs to
 *   another organization or input.
 */
export function openJournal(options: OpenJournalOptions): Journal {
  const path = journalPath(options.dir, options.organizationId, options.inputKey)
  trustJournalFiles(options.dir, path)
  // A short busy timeout: a lock held by another run is not going away, so say so at once.
  const db = openDatabase(path, { busyTimeoutMs: 200 })
  try {
    // EXCLUSIVE before WAL: the WAL index then lives in this process's memory (no -shm file), and the lock
    // taken below is held until close or process death, so two runs cannot interleave on one journal.
    db.exec('PRAGMA locking_mode = EXCLUSIVE')
    db.exec('PRAGMA journal_mode = WAL')
    // NORMAL in WAL: a commit is written to the WAL file before COMMIT returns, so it survives the process
    // being killed (the case we must survive); only an OS crash or power cut can lose the last commits, and
    // then a row falls back to `pending` and is re-sent; the server answers 409, so nobody is invited twice.
    db.exec('PRAGMA synchronous = NORMAL')
    db.exec('BEGIN EXCLUSIVE')
    db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS rows (
        line INTEGER PRIMARY KEY,
        email TEXT,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'skipped', 'invalid', 'failed')),
        idempotency_key TEXT NOT NULL,
        last_error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL
      );
    `)
    const meta = new Map(
      (db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [
        r.key,
        r.value,
      ]),
    )
    if (meta.size === 0) {
      const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)')
      insert.run('schema_version', String(SCHEMA_VERSION))
      insert.run('organization_id', options.organizationId)
      insert.run('input_key', options.inputKey)
      insert.run('created_at', new Date((options.now ?? Date.now)()).toISOString())
    } else if (
      meta.get('organization_id') !== options.organizationId ||
      meta.get('input_key') !== options.inputKey
    ) {
      throw new JournalError(`${path} is the journal of another organization or input`, 'MISMATCH')
    }
    db.exec('COMMIT')
  } catch (error) {
    db.close()
    if (error instanceof JournalError) throw error
    const code = sqliteErrorCode(error)
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new JournalError(
        `another orgctl run is using the journal ${path}; wait for it to finish (or stop it) and run again`,
        'LOCKED',
        error,
      )
    }
    throw error
  }
  return new Journal(db, path, options)
}

/**
 * A journal decides who is sent again and who is skipped, so only one this user alone could have written
 * is used: the folder is made (or tightened to) 0700; the journal and its -wal are refused when they are
 * not regular files, belong to another user, or are writable by group or others (exit 2, nothing sent;
 * SECURITY.md "Local state"); a journal readable by others (0644 from older versions) is tightened to
 * 0600. A new journal is created 0600 before SQLite opens it (SQLite would make it 0644), and SQLite gives
 * its -wal the journal's mode.
 */
function trustJournalFiles(dir: string, path: string): void {
  const refuse = (what: string, why: string): never => {
    throw new JournalError(
      `refusing to use ${what}: ${why}. Someone else may have changed it; check it, then remove it ` +
        '(the run starts afresh) or make it yours alone (chown, chmod 600) to resume',
      'UNSAFE',
    )
  }
  const folder = privateDirSync(dir)
  if (!folder.isDirectory()) refuse(`the journal folder ${dir}`, 'it is not a folder')
  if (ownedByOther(folder))
    refuse(`the journal folder ${dir}`, `it belongs to another user (uid ${folder.uid})`)
  if (folder.mode & 0o022)
    refuse(`the journal folder ${dir}`, `it is writable by others (mode ${octalMode(folder.mode)})`)
  for (const file of [path, `${path}-wal`]) {
    let st: Stats
    try {
      st = lstatSync(file)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      if (file === path) privateFileSync(path, { create: true })
      continue
    }
    if (!st.isFile()) refuse(`the journal ${file}`, 'it is not a regular file')
    if (ownedByOther(st)) refuse(`the journal ${file}`, `it belongs to another user (uid ${st.uid})`)
    if (st.mode & 0o022)
      refuse(`the journal ${file}`, `it is writable by group or others (mode ${octalMode(st.mode)})`)
    privateFileSync(file)
  }
}

/**
 * The crash-safe record of a bulk run. Writes are buffered in one open transaction and committed in
 * batches (by count, by age, and always by {@link Journal.markSending}), so bookkeeping costs microseconds
 * per row; what must be durable before a request goes out is made durable by `markSending`.
 *
 * The methods are synchronous (SQLite through src/server/db/driver.ts): call them from one place, the runner's loop.
 */
export class Journal {
  /** The SQLite file. */
  readonly path: string
  private readonly db: Database
  private readonly now: () => number
  private readonly maxBatchOps: number
  private readonly maxBatchMs: number
  private resumed: boolean
  private inFlightAtOpen: number
  private batchOps = 0
  private batchStartedAt = 0
  private closed = false
  private readonly statements: {
    insert: Statement
    byLine: Statement
    reopen: Statement
    sending: Statement
    done: Statement
    unsending: Statement
    invalid: Statement
    counts: Statement
    problems: Statement
  }

  /** @internal use {@link openJournal}. */
  constructor(db: Database, path: string, options: OpenJournalOptions) {
    this.db = db
    this.path = path
    this.now = options.now ?? Date.now
    this.maxBatchOps = options.maxBatchOps ?? 2000
    this.maxBatchMs = options.maxBatchMs ?? 250
    this.statements = {
      insert: db.prepare(
        `INSERT INTO rows (line, email, state, idempotency_key, last_error, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (line) DO NOTHING RETURNING *`,
      ),
      byLine: db.prepare('SELECT * FROM rows WHERE line = ?'),
      reopen: db.prepare(
        `UPDATE rows SET state = 'pending', last_error = NULL, updated_at = ? WHERE line = ?`,
      ),
      sending: db.prepare(
        `UPDATE rows SET state = 'sending', attempts = attempts + 1, updated_at = ?
         WHERE line = ? AND state IN ('pending', 'sending', 'failed')`,
      ),
      done: db.prepare('UPDATE rows SET state = ?, last_error = ?, updated_at = ? WHERE line = ?'),
      unsending: db.prepare(
        `UPDATE rows SET state = ?, attempts = attempts - 1, updated_at = ? WHERE line = ? AND state = 'sending'`,
      ),
      invalid: db.prepare(
        `INSERT INTO rows (line, email, state, idempotency_key, last_error, updated_at) VALUES (?, ?, 'invalid', ?, ?, ?)
         ON CONFLICT (line) DO UPDATE SET state = 'invalid', email = excluded.email, last_error = excluded.last_error,
           updated_at = excluded.updated_at`,
      ),
      counts: db.prepare('SELECT state, count(*) AS n FROM rows GROUP BY state'),
      problems: db.prepare(`SELECT * FROM rows WHERE state IN ('failed', 'invalid') ORDER BY line`),
    }
    const counts = this.counts()
    this.resumed = Object.values(counts).some((n) => n > 0)
    this.inFlightAtOpen = counts.sending
  }

  /** Counts by state, and whether this run resumes an earlier one. Cheap enough for the start and end of a run. */
  status(): JournalStatus {
    const counts = this.counts()
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0)
    return { counts, total, resumed: this.resumed, inFlightAtOpen: this.inFlightAtOpen }
  }

  /**
   * The journal entry of a valid row: the existing one (with its original key) when an earlier run already
   * journaled this line, else a new `pending` one with `idempotencyKey` (a row's own or derived key, e.g. a
   * charge's) or a fresh random one. A line journaled as `invalid` before is
   * reopened as `pending` (same key). Buffered: durable at the next {@link markSending} or {@link flush}.
   * @throws JournalError `MISMATCH` when the line was journaled with another address (the input changed).
   */
  plan(line: number, email: string, idempotencyKey?: string): JournalEntry {
    return this.write(() => {
      const now = this.now()
      const key = idempotencyKey ?? randomUUID()
      const inserted = this.statements.insert.get(line, email, 'pending', key, null, now) as
        RowRecord | undefined
      if (inserted) return toEntry(inserted)
      const existing = this.statements.byLine.get(line) as RowRecord
      if (existing.email !== null && existing.email.toLowerCase() !== email.toLowerCase()) {
        throw new JournalError(
          `line ${line} is ${email} but the journal has ${existing.email}; the input changed (run with --restart)`,
          'MISMATCH',
        )
      }
      if (existing.state === 'invalid') {
        this.statements.reopen.run(now, line)
        return toEntry({ ...existing, state: 'pending', last_error: null, updated_at: now })
      }
      return toEntry(existing)
    })
  }

  /** Records a row the reader rejected, with its reason, so that it appears in {@link problems}. Buffered. */
  recordInvalid(line: number, email: string | undefined, error: string): void {
    this.write(() => {
      this.statements.invalid.run(line, email ?? null, randomUUID(), error, this.now())
    })
  }

  /**
   * Marks rows as being sent and commits, with everything buffered before, before returning: call it before
   * the requests go out. After a crash these rows are found `sending` and re-sent with the same key, which
   * the server replays instead of inviting again.
   * @throws Error when a line was never planned or is already finished (a bug in the caller).
   */
  markSending(lines: readonly number[]): void {
    // Inside the open batch, a savepoint: a bad line undoes the whole call, not half of it.
    this.write(() => {
      const now = this.now()
      this.db.exec('SAVEPOINT mark_sending')
      try {
        for (const line of lines) {
          if (this.statements.sending.run(now, line).changes !== 1) {
            throw new Error(`journal: line ${line} is not planned, or already finished`)
          }
        }
      } catch (error) {
        this.db.exec('ROLLBACK TO mark_sending')
        this.db.exec('RELEASE mark_sending')
        throw error
      }
      this.db.exec('RELEASE mark_sending')
    })
    this.flush()
  }

  /**
   * Records the outcome of a row's request. Buffered: if the process dies before the next commit the row
   * stays `sending` and is re-sent with its key, which is safe.
   */
  markDone(line: number, state: DoneState, error?: string): void {
    this.write(() => {
      this.statements.done.run(state, state === 'sent' ? null : (error ?? null), this.now(), line)
    })
  }

  /**
   * Puts rows that were marked `sending` but never handed to a request back as they were planned
   * (`pending` or `failed`), the attempt uncounted: a stopped run must not leave them looking as if they
   * might have reached the server. A row an earlier run left `sending` stays so. Buffered, like markDone.
   */
  unmarkSending(rows: readonly { line: number; plannedState: RowState }[]): void {
    this.write(() => {
      const now = this.now()
      for (const { line, plannedState } of rows)
        if (plannedState !== 'sending') this.statements.unsending.run(plannedState, now, line)
    })
  }

  /** Commits buffered writes now (call on SIGINT before exiting, and at the end of a run). */
  flush(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT')
    this.batchOps = 0
  }

  /**
   * The rows that go to `--report`: `failed` and `invalid`, in line order, with their last error.
   * Streams from the database; do not call other journal methods until the iteration ends.
   */
  *problems(): Generator<JournalEntry> {
    this.flush()
    for (const record of this.statements.problems.iterate() as IterableIterator<RowRecord>)
      yield toEntry(record)
  }

  /** Forgets every row (for `--restart`): the next plans get new keys. */
  restart(): void {
    this.flush()
    this.db.exec('DELETE FROM rows')
    this.resumed = false
    this.inFlightAtOpen = 0
  }

  /** Commits and closes; the journal file stays for the next run. Safe to call twice. */
  close(): void {
    if (this.closed) return
    this.flush()
    this.closed = true
    this.db.close()
  }

  private write<T>(operation: () => T): T {
    if (!this.db.inTransaction) {
      this.db.exec('BEGIN')
      this.batchStartedAt = this.now()
      this.batchOps = 0
    }
    const result = operation()
    this.batchOps++
    if (this.batchOps >= this.maxBatchOps || this.now() - this.batchStartedAt >= this.maxBatchMs) this.flush()
    return result
  }

  private counts(): Record<RowState, number> {
    const counts = Object.fromEntries(STATES.map((state) => [state, 0])) as Record<RowState, number>
    for (const { state, n } of this.statements.counts.all() as { state: RowState; n: number }[])
      counts[state] = n
    return counts
  }
}

function toEntry(record: RowRecord): JournalEntry {
  return {
    line: record.line,
    email: record.email,
    state: record.state,
    idempotencyKey: record.idempotency_key,
    lastError: record.last_error,
    attempts: record.attempts,
    updatedAt: record.updated_at,
    needsSend: record.state === 'pending' || record.state === 'sending' || record.state === 'failed',
  }
}
