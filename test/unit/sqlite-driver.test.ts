// The SQLite seam behaves the same on both drivers: .ci/run also runs this file on Node 24 (node:sqlite);
// npm test runs it on the machine's Node (better-sqlite3 before Node 24).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import {
  immediate,
  openDatabase,
  preferredDriver,
  sqliteDriver,
  sqliteErrorCode,
} from '../../src/sqlite/driver.js'

const dir = mkdtempSync(join(tmpdir(), 'orgctl-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function table(name: string) {
  const db = openDatabase(join(dir, `${name}.db`), { busyTimeoutMs: 50 })
  db.exec('PRAGMA journal_mode = WAL')
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a INTEGER NOT NULL, b TEXT)')
  return db
}

describe(`the SQLite seam on Node.js ${process.versions.node}`, () => {
  it('uses node:sqlite from Node 24 and better-sqlite3 before', () => {
    expect(preferredDriver('20.20.2')).toBe('better-sqlite3')
    expect(preferredDriver('22.23.3')).toBe('better-sqlite3')
    expect(preferredDriver('24.0.0')).toBe('node:sqlite')
    expect(preferredDriver('26.10.0')).toBe('node:sqlite')
    expect(sqliteDriver().name).toBe(preferredDriver())
    expect(sqliteDriver().version).toContain(process.versions.node)
  })

  it('gives plain rows, numeric run results, and ignores named parameters the SQL does not use', () => {
    const db = table('rows')
    const r = db.prepare('INSERT INTO t (a, b) VALUES (@a, @b)').run({ a: 7, b: 'x', unused: 1 })
    expect(r).toEqual({ changes: 1, lastInsertRowid: 1 })
    const row = db.prepare('SELECT a, b, typeof(a) AS type FROM t WHERE id = ?').get(1)
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype)
    expect(row).toEqual({ a: 7, b: 'x', type: 'integer' })
    expect(db.prepare('SELECT * FROM t WHERE id = ?').get(2)).toBeUndefined()
    expect([...db.prepare('SELECT a FROM t').iterate()]).toEqual([{ a: 7 }])
    db.close()
    expect(db.open).toBe(false)
  })

  it('commits an IMMEDIATE transaction, and rolls it back when its function throws', () => {
    const db = table('tx')
    immediate(db, () => db.prepare('INSERT INTO t (a) VALUES (?)').run(1))
    expect(() =>
      immediate(db, () => {
        db.prepare('INSERT INTO t (a) VALUES (?)').run(2)
        expect(db.inTransaction).toBe(true)
        throw new Error('undo')
      }),
    ).toThrow('undo')
    expect(db.inTransaction).toBe(false)
    expect(db.prepare('SELECT a FROM t').all()).toEqual([{ a: 1 }])
    // A constraint failure inside is rolled back too, and named the same on both drivers.
    let error: unknown
    try {
      immediate(db, () => db.prepare('INSERT INTO t (a) VALUES (NULL)').run())
    } catch (e) {
      error = e
    }
    expect(sqliteErrorCode(error)).toBe('SQLITE_CONSTRAINT')
    expect(db.inTransaction).toBe(false)
    db.close()
  })

  it('waits busy_timeout for another connection, then fails with SQLITE_BUSY', () => {
    const first = table('busy')
    const second = openDatabase(join(dir, 'busy.db'), { busyTimeoutMs: 50 })
    first.exec('BEGIN IMMEDIATE')
    let error: unknown
    try {
      immediate(second, () => second.prepare('INSERT INTO t (a) VALUES (1)').run())
    } catch (e) {
      error = e
    }
    expect(sqliteErrorCode(error)).toBe('SQLITE_BUSY')
    first.exec('ROLLBACK')
    immediate(second, () => second.prepare('INSERT INTO t (a) VALUES (1)').run())
    expect(first.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 })
    first.close()
    second.close()
  })

  it('opens read-only when asked', () => {
    table('ro').close()
    const db = openDatabase(join(dir, 'ro.db'), { readonly: true })
    expect(() => db.prepare('INSERT INTO t (a) VALUES (1)').run()).toThrow()
    db.close()
  })
})
