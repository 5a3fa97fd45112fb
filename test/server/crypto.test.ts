import { describe, expect, it } from 'vitest'

import { newSecret } from '../../src/server/crypto.js'

describe('tokens the sandbox hands out', () => {
  it('are 256-bit base64url and never start with "-", which a shell argument would read as an option', () => {
    // With plain base64url one token in 64 starts with "-": among 2,000 that is all but certain.
    const secrets = Array.from({ length: 2000 }, newSecret)
    for (const s of secrets) expect(s).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{42}$/)
    expect(new Set(secrets).size).toBe(secrets.length)
  })
})
