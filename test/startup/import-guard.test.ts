// The start-up guard (issue 6): commands that need neither the sandbox nor a prompt nor a CSV parser
// must not load them. No timing here, only which modules a process loaded, so it holds on any machine.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import { preferredDriver } from '../../src/sqlite/driver.js'
import { loadedPackages, tracedFiles } from './modules.js'
import { tempDir } from '../helpers/tmp.js'

const BIN = resolve(import.meta.dirname, '../../bin/run.js')
const TRACER = join(import.meta.dirname, 'trace-modules.mjs')

/**
 * Packages that only some commands need: the sandbox server, SQLite, prompts, the CSV parser; and the
 * keyring binding, which no CLI process ever loads (it runs in a helper process, src/core/keyring.ts).
 */
const HEAVY = ['fastify', 'better-sqlite3', '@inquirer/prompts', 'csv-parse', '@napi-rs/keyring']

/** Runs orgctl with module loading traced; returns its exit code, stdout and the files it loaded. */
function traced(args: string[], env: Record<string, string> = {}) {
  const dir = tempDir('trace')
  const out = join(dir, 'modules.txt')
  try {
    const r = spawnSync(process.execPath, ['--import', TRACER, BIN, ...args], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        XDG_CONFIG_HOME: join(dir, 'config'),
        XDG_DATA_HOME: join(dir, 'data'),
        NO_COLOR: '1',
        ORGCTL_TRACE_MODULES: out,
        ...env,
      },
    })
    const files = existsSync(out) ? tracedFiles(readFileSync(out, 'utf8')) : []
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, files }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('start-up imports', () => {
  it('the tracer sees the sandbox server when a command does start it', () => {
    // Control: a valid but unknown ID on an empty sandbox starts fastify and SQLite, then exits 4.
    const r = traced(['org', 'get', '123e4567-e89b-12d3-a456-426614174000', '--json'])
    expect(r.code).toBe(4)
    const loaded = loadedPackages(r.files)
    expect(loaded).toContain('fastify')
    // One bundle (scripts/build.mjs, bundleServer) holds the server, fastify and the SQLite seam.
    expect(r.files.some((f) => f.endsWith('/dist/server/sandbox.js'))).toBe(true)
    // From Node 24 the sandbox uses the built-in node:sqlite instead (src/sqlite/driver.ts).
    if (preferredDriver() === 'better-sqlite3') expect(loaded).toContain('better-sqlite3')
  })

  it('the tracer sees the CSV parser inside the bundle when a command uses it', () => {
    const dir = tempDir('csv')
    try {
      const file = join(dir, 'people.csv')
      writeFileSync(file, 'email,name,roles\nann@example.com,Ann,3\n')
      const r = traced([
        'invite',
        'send',
        '123e4567-e89b-12d3-a456-426614174000',
        '--file',
        file,
        '--dry-run',
      ])
      expect(r.code, r.stderr).toBe(0)
      expect(loadedPackages(r.files)).toContain('csv-parse')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  // Both ways: bin/run.js's fast paths (no oclif at all), and through oclif (ORGCTL_FAST_PATHS=0).
  it.each([
    ['--version', '1'],
    ['org get --help', '1'],
    ['--help', '1'],
    ['--version', '0'],
    ['org get --help', '0'],
    ['--help', '0'],
  ])(
    '`orgctl %s` (fast paths %s) loads none of fastify, better-sqlite3, @inquirer/prompts, csv-parse, @napi-rs/keyring',
    (line, fast) => {
      const r = traced(line.split(' '), { ORGCTL_FAST_PATHS: fast })
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).not.toBe('')
      expect(r.files.length).toBeGreaterThan(0)
      const loaded = loadedPackages(r.files)
      expect(HEAVY.filter((p) => loaded.has(p))).toEqual([])
    },
  )

  it('`orgctl org get BAD-ID` fails validation without loading them either', () => {
    const r = traced(['org', 'get', 'not-a-uuid'])
    expect(r.code).toBe(2)
    const loaded = loadedPackages(r.files)
    expect(HEAVY.filter((p) => loaded.has(p))).toEqual([])
  })
})
