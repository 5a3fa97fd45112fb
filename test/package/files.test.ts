// The tarball holds what runs, plus README, LICENSE and SECURITY.md (issue 11): every module the
// entry points reach is in it, and no JavaScript that nothing loads (tsc's per-file copies of what the
// bundle already holds, sources, tests).
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'

import { beforeAll, describe, expect, it } from 'vitest'

import { ROOT, packedFiles } from './tarball.js'

let files: string[]
beforeAll(async () => {
  files = await packedFiles()
})

/**
 * Relative imports of one built module (esbuild's minified output and tsc's alike), and those through
 * package.json's subpath imports (`#server/...`), resolved as Node resolves them.
 */
function relativeImports(file: string, subpaths: Record<string, string>): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const found = [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["']((?:\.{1,2}\/|#)[^"']+)["']/g)].map(
    (m) => m[1]!,
  )
  return found.map((spec) => {
    if (!spec.startsWith('#')) return normalize(join(dirname(file), spec))
    const pattern = Object.keys(subpaths).find((p) => spec.startsWith(p.replace(/\*$/, '')))
    if (!pattern) throw new Error(`${file} imports ${spec}, which package.json's "imports" does not map`)
    return normalize(subpaths[pattern]!.replace('*', spec.slice(pattern.length - 1)))
  })
}

/**
 * Every module reachable from the entry points: bin/run.js, the commands oclif's manifest points to, the
 * keyring helper and the hooks package.json names.
 */
function reachable(): Set<string> {
  const pjson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    oclif: { hooks?: Record<string, string | string[]> }
    imports?: Record<string, string>
  }
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, { relativePath: string[] }>
  }
  const hooks = Object.values(pjson.oclif.hooks ?? {}).flat()
  const commands = Object.values(manifest.commands).map((c) => c.relativePath.join('/'))
  // The keyring helper is started by path (src/core/keyring.ts), not imported.
  const queue = ['bin/run.js', ...commands, 'dist/core/keyring-child.js', ...hooks.map((h) => normalize(h))]
  const seen = new Set<string>()
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue
    seen.add(file)
    if (/\.(c|m)?js$/.test(file)) queue.push(...relativeImports(file, pjson.imports ?? {}))
  }
  return seen
}

describe('the package', () => {
  it('has the licence, README, security policy and package.json', () => {
    for (const f of ['LICENSE', 'README.md', 'SECURITY.md', 'package.json']) expect(files).toContain(f)
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/)
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).license).toBe('MIT')
  })

  it('holds every module the entry points load, the manifest and the data files the code reads', () => {
    const needed = reachable()
    expect(needed).toContain('dist/index.js')
    expect(needed).toContain('dist/commands/org/get.js')
    expect(needed).toContain('dist/server/sandbox.js')
    const missing = [...needed].filter((f) => !files.includes(f))
    expect(missing).toEqual([])
    const migrations = readdirSync(join(ROOT, 'src/server/migrations')).map(
      (m) => `dist/server/migrations/${m}`,
    )
    for (const f of [
      'oclif.manifest.json',
      'dist/fast-paths.json',
      'dist/fast-paths-index.json',
      'dist/fast-paths-manifest.json',
      'dist/openapi.json',
      ...migrations,
    ])
      expect(files).toContain(f)
  })

  it('holds no JavaScript that nothing loads, and no sources, tests or tooling', () => {
    const needed = reachable()
    const stray = files.filter((f) => /\.(c|m)?js$/.test(f) && !needed.has(f))
    expect(stray).toEqual([])
    const allowed =
      /^(LICENSE|README\.md|SECURITY\.md|package\.json|oclif\.manifest\.json|bin\/[^/]+\.js|dist\/.+)$/
    expect(files.filter((f) => !allowed.test(f))).toEqual([])
    expect(files.filter((f) => /\.(ts|map)$/.test(f) || /(^|\/)(src|test|bench|scripts)\//.test(f))).toEqual(
      [],
    )
    expect(files).not.toContain('dist/bundle-packages.json')
  })
})
