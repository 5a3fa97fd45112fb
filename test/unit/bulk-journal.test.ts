import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

import Database from 'better-sqlite3'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { JournalError, journalPath, openJournal } from '../../src/bulk/journal.js'
import type { OpenJournalOptions } from '../../src/bulk/journal.js'
import { tempDir } from '../helpers/tmp.js'

let dir: string
let journals = 0
beforeAll(() => {
  dir = tempDir('journal')
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

function options(overrides: Partial<OpenJournalOptions> = {}): OpenJournalOptions {
  return {
    dir: join(dir, 'journals'),
    organizationId: 'org-1',
    inputKey: `input-${journals++}`,
    ...overrides,
  }
}

describe('the journal', () => {
  it('starts empty, then resumes with the same keys and states after being closed mid-run', () => {
    const opts = options()
    const first = openJournal(opts)
    expect(first.status()).toMatchObject({ total: 0, resumed: false })
    const a = first.plan(2, 'a@example.com')
    const b = first.plan(3, 'b@example.com')
    const c = first.plan(4, 'c@example.com')
    expect(a).toMatchObject({ state: 'pending', attempts: 0, needsSend: true })
    expect(a.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/)
    expect(new Set([a.idempotencyKey, b.idempotencyKey, c.idempotencyKey]).size).toBe(3)
    first.markSending([2, 3])
    first.markDone(2, 'sent')
    first.markDone(3, 'skipped', 'already a member')
    first.recordInvalid(5, undefined, 'email is missing')
    first.close()

    const second = openJournal(opts)
    expect(second.status()).toMatchObject({
      resumed: true,
      total: 4,
      counts: { pending: 1, sending: 0, sent: 1, skipped: 1, invalid: 1, failed: 0 },
    })
    expect(second.plan(2, 'a@example.com')).toMatchObject({
      state: 'sent',
      idempotencyKey: a.idempotencyKey,
      needsSend: false,
    })
    expect(second.plan(3, 'B@example.com')).toMatchObject({
      state: 'skipped',
      lastError: 'already a member',
      attempts: 1,
    })
    expect(second.plan(4, 'c@example.com')).toMatchObject({
      state: 'pending',
      idempotencyKey: c.idempotencyKey,
    })
    second.close()
  })

  it('re-plans a row left `sending` by a run that stopped, with the same key, as needing a send', () => {
    const opts = options()
    const first = openJournal(opts)
    const planned = first.plan(7, 'x@example.com')
    first.markSending([7])
    first.close() // no markDone: the answer was never recorded

    const second = openJournal(opts)
    expect(second.status()).toMatchObject({ inFlightAtOpen: 1, counts: { sending: 1 } })
    const again = second.plan(7, 'x@example.com')
    expect(again).toMatchObject({ state: 'sending', needsSend: true, attempts: 1 })
    expect(again.idempotencyKey).toBe(planned.idempotencyKey)
    second.markSending([7])
    second.markDone(7, 'sent')
    expect(second.plan(7, 'x@example.com')).toMatchObject({ state: 'sent', attempts: 2 })
    second.close()
  })

  it('lists failed and invalid rows in line order for the report, and retries failed rows on resume', () => {
    const journal = openJournal(options())
    for (let line = 2; line <= 6; line++) journal.plan(line, `p${line}@example.com`)
    journal.markSending([2, 3, 4, 5, 6])
    journal.markDone(2, 'sent')
    journal.markDone(4, 'failed', 'roles.0: the selected role does not exist')
    journal.markDone(6, 'failed', 'network error after 4 retries')
    journal.recordInvalid(3, 'bad', 'email "bad" is not a valid e-mail address')
    journal.markDone(5, 'skipped')
    expect(
      [...journal.problems()].map(({ line, email, state, lastError }) => ({ line, email, state, lastError })),
    ).toEqual([
      { line: 3, email: 'bad', state: 'invalid', lastError: 'email "bad" is not a valid e-mail address' },
      {
        line: 4,
        email: 'p4@example.com',
        state: 'failed',
        lastError: 'roles.0: the selected role does not exist',
      },
      { line: 6, email: 'p6@example.com', state: 'failed', lastError: 'network error after 4 retries' },
    ])
    expect(journal.plan(6, 'p6@example.com')).toMatchObject({ state: 'failed', needsSend: true })
    journal.close()
  })

  it('forgets everything on restart, and gives new keys afterwards', () => {
    const opts = options()
    const journal = openJournal(opts)
    const before = journal.plan(2, 'a@example.com')
    journal.markSending([2])
    journal.restart()
    expect(journal.status()).toMatchObject({ total: 0, resumed: false })
    const after = journal.plan(2, 'a@example.com')
    expect(after).toMatchObject({ state: 'pending', attempts: 0 })
    expect(after.idempotencyKey).not.toBe(before.idempotencyKey)
    journal.close()
  })

  it('refuses a second run on the same journal while the first has it open, and a changed input', () => {
    const opts = options()
    const journal = openJournal(opts)
    journal.plan(2, 'a@example.com')
    journal.flush()
    expect(() => openJournal(opts)).toThrow(JournalError)
    expect(() => openJournal(opts)).toThrow(/another orgctl run is using the journal/)
    expect(() => journal.plan(2, 'other@example.com')).toThrow(/the input changed/)
    expect(() => journal.markSending([99])).toThrow(/line 99 is not planned/)
    journal.close()
    openJournal(opts).close()
  })

  it('keeps one file per organization and input, with no -shm file', () => {
    const opts = options({ organizationId: 'org/with spaces' })
    openJournal(opts).close()
    const path = journalPath(opts.dir, opts.organizationId, opts.inputKey)
    expect(path.startsWith(resolve(opts.dir))).toBe(true)
    expect(journalPath(opts.dir, 'org-2', opts.inputKey)).not.toBe(path)
    expect(readdirSync(opts.dir).some((name) => name.endsWith('-shm'))).toBe(false)
  })

  it('keeps 50,000 rows of bookkeeping in batched transactions', () => {
    const journal = openJournal(options())
    for (let start = 1; start <= 50_000; start += 64) {
      const lines: number[] = []
      for (let line = start; line < start + 64 && line <= 50_000; line++) {
        journal.plan(line, `p${line}@example.com`)
        lines.push(line)
      }
      journal.markSending(lines)
      for (const line of lines) journal.markDone(line, 'sent')
    }
    expect(journal.status().counts.sent).toBe(50_000)
    journal.close()
  })
})

describe('the journal under SIGKILL', () => {
  let childScript: string
  beforeAll(async () => {
    // The child runs plain JavaScript: bundle the journal with the SQLite seam left to the project's build
    // (it loads its driver relative to itself).
    const driver = resolve('dist/sqlite/driver.js')
    const bundle = join(dir, 'journal-bundle.mjs')
    await build({
      entryPoints: [resolve('src/bulk/journal.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
      plugins: [
        {
          name: 'project-sqlite-driver',
          setup(b) {
            b.onResolve({ filter: /\/sqlite\/driver\.js$/ }, () => ({ path: driver, external: true }))
          },
        },
      ],
    })
    childScript = join(dir, 'journal-writer.mjs')
    writeFileSync(
      childScript,
      `import { openJournal } from ${JSON.stringify(bundle)}
const [dir, organizationId, inputKey] = process.argv.slice(2)
const journal = openJournal({ dir, organizationId, inputKey })
let line = journal.status().total + 1
function batch() {
  const entries = []
  for (let i = 0; i < 40; i++, line++) entries.push(journal.plan(line, 'p' + line + '@example.com'))
  journal.markSending(entries.map((entry) => entry.line))
  // Reported only once markSending has returned: these rows must survive the kill.
  process.stdout.write(entries.map((entry) => entry.line + ' ' + entry.idempotencyKey).join('\\n') + '\\n')
  for (const entry of entries) if (entry.line % 3 !== 0) journal.markDone(entry.line, 'sent')
  setImmediate(batch)
}
batch()
`,
    )
  })

  it('keeps every row reported as marked, with its key, through repeated SIGKILLs, and stays intact', async () => {
    const opts = options()
    const reported = new Map<number, string>()
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, [childScript, opts.dir, opts.organizationId, opts.inputKey], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      const target = reported.size + 400 + Math.floor(Math.random() * 2000)
      let buffered = ''
      child.stdout.setEncoding('utf8')
      child.stdout.on('data', (text: string) => {
        buffered += text
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        for (const entry of lines) {
          const [line, key] = entry.split(' ')
          reported.set(Number(line), key as string)
        }
        if (reported.size >= target) child.kill('SIGKILL')
      })
      const [, signal] = (await once(child, 'exit')) as [number | null, string | null]
      expect(signal).toBe('SIGKILL')
    }

    const path = journalPath(opts.dir, opts.organizationId, opts.inputKey)
    const raw = new Database(path)
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok')
    raw.close()

    const journal = openJournal(opts)
    expect(journal.status().resumed).toBe(true)
    for (const [line, key] of reported) {
      const entry = journal.plan(line, `p${line}@example.com`)
      expect(entry.idempotencyKey).toBe(key)
      expect(['sending', 'sent']).toContain(entry.state)
    }
    journal.close()
  })
})
