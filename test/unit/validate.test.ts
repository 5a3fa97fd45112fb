import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { UsageError } from '../../src/core/errors.js'
import * as validate from '../../src/core/validate.js'
import { tempDir } from '../helpers/tmp.js'

describe('local validation', () => {
  it('accepts UUIDs and names the argument when one is malformed', () => {
    expect(validate.uuid('123E4567-E89B-12D3-A456-426614174000', 'ORG')).toBe(
      '123e4567-e89b-12d3-a456-426614174000',
    )
    expect(() => validate.uuid('123', 'ORG')).toThrow(/ORG must be a UUID/)
  })

  it('accepts assigned ISO 3166-1 alpha-2 codes in any case and rejects unassigned ones', () => {
    expect(validate.countryCode('eg', '--country-code')).toBe('EG')
    expect(validate.countryCode('US', '--country-code')).toBe('US')
    for (const bad of ['XX', 'UK', 'USA', 'E', ''])
      expect(() => validate.countryCode(bad, '--country-code')).toThrow(UsageError)
    expect(() => validate.countryCode('ZZ', '--country-code')).toThrow(
      /--country-code must be an ISO 3166-1 alpha-2/,
    )
  })

  it('accepts only positive whole numbers, naming the flag', () => {
    expect(validate.positiveInt('1000', '--amount')).toBe(1000)
    for (const bad of ['0', '-5', '1.5', 'abc', '1e3', '', ' '])
      expect(() => validate.positiveInt(bad, '--amount')).toThrow(/--amount must be a positive whole number/)
    expect(() => validate.positiveInt('101', '--per-page', 100)).toThrow(/up to 100/)
  })

  it('checks e-mail addresses and the status enum', () => {
    expect(validate.email(' ada@example.com ', '--email')).toBe('ada@example.com')
    expect(() => validate.email('ada@', '--email')).toThrow(/--email/)
    expect(validate.status('suspended', '--status')).toBe('suspended')
    expect(() => validate.status('deleted', '--status')).toThrow(/active, suspended, inactive/)
  })

  it('recognises images by their bytes, not their name', async () => {
    const dir = tempDir('img')
    const png = join(dir, 'logo.txt')
    writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]))
    expect((await validate.readImageFile(png, 'FILE')).contentType).toBe('image/png')
    const fake = join(dir, 'fake.png')
    writeFileSync(fake, 'not an image')
    await expect(validate.readImageFile(fake, 'FILE')).rejects.toThrow(/PNG, JPEG, GIF or WebP/)
    const big = join(dir, 'big.png')
    writeFileSync(big, Buffer.alloc(2 * 1024 * 1024 + 1))
    await expect(validate.readImageFile(big, 'FILE')).rejects.toThrow(/at most 2 MiB/)
    await expect(validate.readImageFile(join(dir, 'missing.png'), 'FILE')).rejects.toThrow(/cannot read/)
  })

  it('detects jpeg, gif and webp signatures', () => {
    expect(validate.imageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))?.ext).toBe('jpg')
    expect(validate.imageType(Buffer.from('GIF89a...'))?.ext).toBe('gif')
    expect(validate.imageType(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))?.ext).toBe('webp')
    expect(validate.imageType(Buffer.from('<svg'))).toBeUndefined()
  })

  it('accepts printable idempotency keys up to 255 characters', () => {
    expect(validate.idempotencyKey('ci-123-abc', '--idempotency-key')).toBe('ci-123-abc')
    expect(() => validate.idempotencyKey('has space', '--idempotency-key')).toThrow(UsageError)
    expect(() => validate.idempotencyKey('x'.repeat(256), '--idempotency-key')).toThrow(UsageError)
  })
})

describe('invitation tokens', () => {
  it('drops the CR or newline a shell capture leaves behind', () => {
    expect(validate.inviteToken('AbC-d_9\r', 'TOKEN')).toBe('AbC-d_9')
    expect(validate.inviteToken('  AbC\n', 'TOKEN')).toBe('AbC')
  })

  it('refuses what cannot be a token, naming the argument', () => {
    for (const bad of ['', '../../admin', 'a b', 'tok%2F'])
      expect(() => validate.inviteToken(bad, 'TOKEN')).toThrow(/TOKEN must be the invitation token/)
  })
})
