import { describe, expect, it } from 'vitest'

import { CliError, UsageError } from '../../src/core/errors.js'
import { loadJq } from '../../src/core/jq.js'

const org = { id: 'o1', name: 'Acme', tags: ['a', 'b'], members: [{ email: 'x@example.com', roles: [1, 3] }] }

describe('--jq (real jq, built to WebAssembly by jq-web)', () => {
  it('applies jq semantics: raw strings, indented JSON, one output per line', async () => {
    expect((await loadJq('.name'))(org)).toBe('Acme\n')
    expect((await loadJq('.tags[]'))(org)).toBe('a\nb\n')
    expect((await loadJq('.members[] | {email, owner: (.roles | index(1) != null)}'))(org)).toBe(
      '{\n  "email": "x@example.com",\n  "owner": true\n}\n',
    )
    expect((await loadJq('[.tags[] | ascii_upcase] | join(",")'))(org)).toBe('A,B\n')
    expect((await loadJq('.nothing[]?'))(org)).toBe('')
  })

  it("rejects an expression that does not compile with jq's own message, before running anything", async () => {
    await expect(loadJq('.name |')).rejects.toThrow(UsageError)
    await expect(loadJq('.name |')).rejects.toThrow(/--jq: jq: error: syntax error.*line 1/s)
    await expect(loadJq('nosuch(1)')).rejects.toThrow(/nosuch\/1 is not defined/)
    // Compiles but would fail on any input: the check does not evaluate it.
    await expect(loadJq('error("only at run time")')).resolves.toBeTypeOf('function')
  })

  it("reports jq's run-time error and leaves the process exit code alone", async () => {
    const before = process.exitCode
    const filter = await loadJq('.name.first')
    expect(() => filter(org)).toThrow(CliError)
    expect(() => filter(org)).toThrow(/Cannot index string with string "first"/)
    expect(process.exitCode).toBe(before)
  })
})
