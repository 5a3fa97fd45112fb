// bin/run.js answers `--version` and non-terminal help without loading oclif (issue 6). These tests
// hold it to oclif's own answers, byte for byte, for every form it answers, and check that it steps
// aside whenever the answer could differ.
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

import { loadedPackages, tracedFiles } from './modules.js'
import { tempDir } from '../helpers/tmp.js'

const ROOT = resolve(import.meta.dirname, '../..')
const BIN = join(ROOT, 'bin/run.js')
const TRACER = join(import.meta.dirname, 'trace-modules.mjs')
const home = tempDir('fast')

interface Run {
  code: number | null
  stdout: string
  stderr: string
  oclifLoaded: boolean
}

/** Runs orgctl piped; reports whether @oclif/core was loaded at all. */
function orgctl(args: string[], env: Record<string, string> = {}, bin = BIN): Promise<Run> {
  const trace = join(mkdtempSync(join(home, 'trace-')), 'modules.txt')
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, ['--import', TRACER, bin, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        XDG_CONFIG_HOME: join(home, 'config'),
        XDG_DATA_HOME: join(home, 'data'),
        ORGCTL_TRACE_MODULES: trace,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => {
      let modules = ''
      try {
        modules = readFileSync(trace, 'utf8')
      } catch {
        // nothing loaded beyond the entry
      }
      const files = tracedFiles(modules)
      // The bundle holds oclif; in a copy of the package (outside ROOT) its file names no package.
      const bundle = join(dirname(dirname(bin)), 'dist/index.js')
      done({
        code,
        stdout,
        stderr,
        oclifLoaded: loadedPackages(files).has('@oclif/core') || files.includes(bundle),
      })
    })
  })
}

const OCLIF = { ORGCTL_FAST_PATHS: '0' }

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items]
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item)
    }),
  )
}

describe('fast paths in bin/run.js', () => {
  it('prints the same `--version` line as oclif, without loading oclif', async () => {
    const [fast, slow] = await Promise.all([orgctl(['--version']), orgctl(['--version'], OCLIF)])
    expect(slow.oclifLoaded).toBe(true)
    expect(fast.oclifLoaded).toBe(false)
    expect(fast).toEqual({ ...slow, oclifLoaded: false })
    expect(fast.stdout).toMatch(/^orgctl\/\d+\.\d+\.\d+\S* \S+-\S+ node-v\d+\.\d+\.\d+\n$/)
  })

  it('prints the help of every command and topic exactly as oclif does on a pipe', async () => {
    const data = JSON.parse(readFileSync(join(ROOT, 'dist/fast-paths.json'), 'utf8')) as {
      help: Record<string, string>
    }
    const forms = Object.keys(data.help).map((k) => JSON.parse(k) as string[])
    // Every command's `--help` is among them.
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, unknown>
    }
    for (const id of Object.keys(manifest.commands))
      expect(forms.map((f) => f.join(' '))).toContain(`${id.replaceAll(':', ' ')} --help`)
    const mismatches: string[] = []
    await pool(forms, 4, async (argv) => {
      const [fast, slow] = await Promise.all([orgctl(argv), orgctl(argv, OCLIF)])
      if (fast.oclifLoaded) mismatches.push(`${argv.join(' ')}: fast path not taken`)
      if (fast.stdout !== slow.stdout || fast.stderr !== slow.stderr || fast.code !== slow.code)
        mismatches.push(`${argv.join(' ')}: differs from oclif`)
    })
    expect(mismatches).toEqual([])
  }, 180_000)

  it.each([
    ['a column override', ['org', 'get', '--help'], { OCLIF_COLUMNS: '132' }],
    ['forced colour', ['--help'], { FORCE_COLOR: '1' }],
    ['debug logging', ['--version'], { DEBUG: '*' }],
  ])('leaves help and --version to oclif under %s', async (_why, argv, env) => {
    const [fast, slow] = await Promise.all([orgctl(argv, env), orgctl(argv, { ...env, ...OCLIF })])
    expect(fast.oclifLoaded).toBe(true)
    expect(fast.stdout).toBe(slow.stdout)
    expect(fast.code).toBe(0)
  })

  it('leaves anything that is not exactly a help form to oclif', async () => {
    const r = await orgctl(['org', 'get', 'not-a-uuid'])
    expect(r.oclifLoaded).toBe(true)
    expect(r.code).toBe(2)
  })

  it("runs commands with oclif given bin/run.js's package.json, and answers as oclif loading its own", async () => {
    for (const argv of [
      ['version', '--json'],
      ['org', 'get', 'not-a-uuid'],
      ['org', 'get', '--no-such-flag'],
      ['org', 'alias', 'list', '--json'],
    ]) {
      const [lite, full] = await Promise.all([orgctl(argv), orgctl(argv, OCLIF)])
      expect(lite.oclifLoaded, argv.join(' ')).toBe(true)
      expect(lite, argv.join(' ')).toEqual(full)
    }
    // Typos still see the plugins' commands (`help`, `autocomplete`).
    const typo = await orgctl(['autocomplet'])
    expect(typo.stderr).toContain('Did you mean `orgctl autocomplete`?')
    expect(typo.code).toBe(127)
  })

  it('takes -h as --help, as oclif does', async () => {
    const [fast, slow] = await Promise.all([
      orgctl(['org', 'get', '-h']),
      orgctl(['org', 'get', '-h'], OCLIF),
    ])
    expect(fast.oclifLoaded).toBe(false)
    expect(slow.oclifLoaded).toBe(true)
    expect(fast).toEqual({ ...slow, oclifLoaded: false })
    expect(fast.stdout).toContain('USAGE')
  })
})

describe("the fast paths' build identity (bin/stamp.js)", () => {
  /** A copy of the package as an install has it: new files (new mtimes), the same node_modules. */
  function copyPackage(): string {
    const dir = tempDir('fast-copy')
    for (const f of ['bin', 'dist', 'package.json', 'oclif.manifest.json'])
      cpSync(join(ROOT, f), join(dir, f), { recursive: true })
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
    return dir
  }

  it('matches in a copy whose files have other times, as in an installed copy', async () => {
    const dir = copyPackage()
    const later = new Date(Date.now() + 3_600_000)
    utimesSync(join(dir, 'oclif.manifest.json'), later, later)
    const bin = join(dir, 'bin/run.js')
    for (const argv of [['--version'], ['--help'], ['org', 'get', '--help']]) {
      const [fast, slow] = await Promise.all([orgctl(argv, {}, bin), orgctl(argv, OCLIF, bin)])
      expect(fast.oclifLoaded, argv.join(' ')).toBe(false)
      expect(fast).toEqual({ ...slow, oclifLoaded: false })
    }
  })

  it('shows the running Node in root help, not the Node the build rendered it with', async () => {
    const dir = copyPackage()
    // As if the package had been built on another Node line than the one running it.
    const file = join(dir, 'dist/fast-paths.json')
    const data = JSON.parse(readFileSync(file, 'utf8')) as { userAgent: string; help: Record<string, string> }
    const built = data.userAgent.replace(/node-v[\d.]+$/, 'node-v99.1.2')
    for (const key of Object.keys(data.help))
      data.help[key] = data.help[key]!.split(data.userAgent).join(built)
    writeFileSync(file, JSON.stringify({ ...data, userAgent: built }))
    const bin = join(dir, 'bin/run.js')
    const [fast, slow] = await Promise.all([orgctl(['--help'], {}, bin), orgctl(['--help'], OCLIF, bin)])
    expect(fast.oclifLoaded).toBe(false)
    expect(fast.stdout).toContain(`node-${process.version}`)
    expect(fast.stdout).not.toContain('node-v99.1.2')
    expect(fast).toEqual({ ...slow, oclifLoaded: false })
  })

  it('steps aside when the manifest or the version differs from the build, and oclif answers', async () => {
    const dir = copyPackage()
    const manifest = join(dir, 'oclif.manifest.json')
    writeFileSync(manifest, `${readFileSync(manifest, 'utf8')}\n`)
    const changedManifest = await orgctl(['org', 'get', '--help'], {}, join(dir, 'bin/run.js'))
    expect(changedManifest.oclifLoaded).toBe(true)
    expect(changedManifest.code).toBe(0)
    expect(changedManifest.stdout).toContain('USAGE')

    const other = copyPackage()
    const pjsonFile = join(other, 'package.json')
    const pjson = JSON.parse(readFileSync(pjsonFile, 'utf8')) as { version: string }
    writeFileSync(pjsonFile, JSON.stringify({ ...pjson, version: '9.9.9' }))
    const changedVersion = await orgctl(['--version'], {}, join(other, 'bin/run.js'))
    expect(changedVersion.oclifLoaded).toBe(true)
    expect(changedVersion.stdout).toMatch(/^orgctl\/9\.9\.9 /)
  })
})
