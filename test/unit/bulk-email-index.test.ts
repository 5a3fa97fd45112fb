import { describe, expect, it } from 'vitest'

import { EmailIndex } from '../../src/bulk/email-index.js'

describe('EmailIndex', () => {
  it('returns the first line of an address seen before, ignoring case, and records nothing then', () => {
    const index = new EmailIndex()
    expect(index.firstLineOf('alice@example.com', 2)).toBeUndefined()
    expect(index.firstLineOf('bob@example.com', 3)).toBeUndefined()
    expect(index.firstLineOf('ALICE@Example.COM', 7)).toBe(2)
    expect(index.firstLineOf('alice@example.com', 9)).toBe(2)
    expect(index.firstLineOf('Bob@example.com', 10)).toBe(3)
    expect(index.size).toBe(2)
  })

  it('compares other characters as toLowerCase() does', () => {
    const index = new EmailIndex()
    expect(index.firstLineOf('ÉLODIE@example.com', 1)).toBeUndefined()
    expect(index.firstLineOf('élodie@EXAMPLE.com', 2)).toBe(1)
    expect(index.firstLineOf('elodie@example.com', 3)).toBeUndefined()
  })

  it('keeps every address and its line through many resizes', () => {
    // 16 slots at first: 300,000 addresses take the table through doubling and growth by pages.
    const index = new EmailIndex(1)
    const n = 300_000
    let wrong = 0
    for (let i = 0; i < n; i++) if (index.firstLineOf(`person${i}@example.com`, i + 2) !== undefined) wrong++
    expect(wrong).toBe(0)
    expect(index.size).toBe(n)
    for (let i = 0; i < n; i += 7) if (index.firstLineOf(`PERSON${i}@example.com`, n + 10) !== i + 2) wrong++
    expect(wrong).toBe(0)
    expect(index.size).toBe(n)
    // About 20 bytes an address, not the ~100 of a Map of strings.
    expect(index.bytes / n).toBeLessThan(24)
  })

  it('reports no duplicate among 200,000 distinct addresses, however alike', () => {
    const index = new EmailIndex()
    let duplicates = 0
    for (let i = 0; i < 100_000; i++) {
      if (index.firstLineOf(`a${i}@example.com`, 2 * i + 1) !== undefined) duplicates++
      if (index.firstLineOf(`${i}a@example.com`, 2 * i + 2) !== undefined) duplicates++
    }
    expect(duplicates).toBe(0)
    expect(index.size).toBe(200_000)
  })

  it('finds each repeat of a file with many repeated addresses', () => {
    const index = new EmailIndex()
    const first = new Map<number, number>()
    for (let line = 1; line <= 50_000; line++) {
      const who = (line * 7919) % 12_345
      const seen = index.firstLineOf(`user.${who}@example.org`, line)
      expect(seen).toBe(first.get(who))
      if (seen === undefined) first.set(who, line)
    }
    expect(index.size).toBe(first.size)
  })
})
