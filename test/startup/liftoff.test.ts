// `--jq` sets the V8 flag `--liftoff-only` before it loads jq (jq-web's WebAssembly is then compiled
// once, by the baseline compiler, and the process does not wait for an optimising compile before it
// exits; gain in docs/BENCHMARKS.md). V8 calls the flag one "for testing": it may change or
// go in any Node line, and an unknown flag makes V8 print "Error: unrecognized flag" on every command.
// These tests fail on a Node where that happens, so CI's Node lines catch it.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')

describe('--liftoff-only', () => {
  it('is set by --jq before jq (the only WebAssembly orgctl runs) is loaded', () => {
    const text = readFileSync(join(ROOT, 'src/core/jq.ts'), 'utf8')
    const flag = text.indexOf("setFlagsFromString('--liftoff-only')")
    const jq = text.indexOf("('jq-web')")
    expect(flag).toBeGreaterThan(0)
    expect(jq).toBeGreaterThan(flag)
  })

  it('is a flag this Node accepts silently, and WebAssembly still runs under it', () => {
    // The smallest valid module exporting `add(a, b)`.
    const wasm = [
      0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 7, 7, 1, 3, 97, 100, 100, 0,
      0, 10, 9, 1, 7, 0, 32, 0, 32, 1, 106, 11,
    ]
    const script = [
      "require('node:v8').setFlagsFromString('--liftoff-only')",
      `const m = new WebAssembly.Module(new Uint8Array(${JSON.stringify(wasm)}))`,
      'console.log(new WebAssembly.Instance(m).exports.add(2, 3))',
    ].join(';')
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('5\n')
    expect(r.status).toBe(0)
  })
})
