import { describe, expect, it } from 'vitest'

import { idFromLocation } from '../../src/api/organizations.js'
import { hasUserInfo, redactSecrets, redactUserInfo, visible } from '../../src/api/redact.js'
import { retryAfterMs } from '../../src/api/retry.js'
import * as shape from '../../src/api/shape.js'
import { isTooDeep } from '../../src/api/transport.js'
import { token } from '../../src/core/validate.js'

const at = { method: 'GET', path: '/api/organizations/x', status: 200 }

describe('JSON depth', () => {
  it('counts nesting of arrays and objects, ignoring brackets inside strings', () => {
    expect(isTooDeep(`${'['.repeat(64)}${']'.repeat(64)}`)).toBe(false)
    expect(isTooDeep(`${'['.repeat(65)}${']'.repeat(65)}`)).toBe(true)
    expect(isTooDeep(`{"a": "${'['.repeat(1000)}"}`)).toBe(false)
    expect(isTooDeep(`{"a": "\\"${'{'.repeat(100)}"}`)).toBe(false)
    expect(isTooDeep('[{"a":[{"b":[]}]}]', 5)).toBe(false)
    expect(isTooDeep('[{"a":[{"b":[]}]}]', 4)).toBe(true)
  })
})

describe('redaction of URL user-info', () => {
  it('hides user:password@ in any URL of a text, and says whether a URL has one', () => {
    expect(redactUserInfo('see https://user:hunter2@api.example.com/x and http://tok@h:1/')).toBe(
      'see https://[redacted]@api.example.com/x and http://[redacted]@h:1/',
    )
    expect(redactSecrets('GET https://u:p@h/api')).toBe('GET https://[redacted]@h/api')
    expect(redactUserInfo('mail me: someone@example.com')).toBe('mail me: someone@example.com')
    expect(hasUserInfo('https://u:p@h/')).toBe(true)
    expect(hasUserInfo('https://h/')).toBe(false)
  })
})

describe('server text for messages', () => {
  it('shows controls, C1, DEL and bidi characters as escapes and cuts the rest', () => {
    expect(visible('a\u001b[2Jb\u202ec\u009bd\u007fe\r\n', 100)).toBe(
      'a\\x1b[2Jb\\u202ec\\x9bd\\x7fe\\x0d\\x0a',
    )
    expect(visible('x'.repeat(600), 500)).toBe(`${'x'.repeat(500)}…`)
  })
})

describe('Retry-After', () => {
  it('is read uncapped, so that the transport can refuse a wait beyond its cap', () => {
    expect(retryAfterMs('3600')).toBe(3_600_000)
    expect(retryAfterMs(new Date(10_000 + 7_200_000).toUTCString(), 10_000)).toBe(7_200_000)
    expect(retryAfterMs('soon')).toBeUndefined()
  })
})

describe('IDs from a Location', () => {
  it('takes only a plain ID, never an undecodable or odd segment', () => {
    expect(idFromLocation('/api/organizations/9b2c0f9e-3c1d-4f7a-9b8e-2f1a6c3d5e7f')).toBe(
      '9b2c0f9e-3c1d-4f7a-9b8e-2f1a6c3d5e7f',
    )
    expect(idFromLocation('/api/organizations/%E0%A4%A')).toBeNull()
    expect(idFromLocation('/api/organizations/%1B%5B2J')).toBeNull()
    expect(idFromLocation('/api/organizations/..%2F..%2Fadmin')).toBeNull()
  })
})

describe('response shapes', () => {
  it('accepts an organization bare or in data, and refuses one without a string id or name', () => {
    expect(shape.organization({ id: 'a', name: 'A' }, at)).toEqual({ id: 'a', name: 'A' })
    expect(shape.organization({ data: { id: 'a', name: 'A' } }, at)).toEqual({ id: 'a', name: 'A' })
    expect(() => shape.organization(null, at)).toThrow(/empty body/)
    expect(() => shape.organization({ id: 1, name: 'A' }, at)).toThrow(/no string "id"/)
    expect(() => shape.organization([], at)).toThrow(/no string "id"/)
    expect(() => shape.organization({ id: 'a' }, at)).toThrow(/without a string "name"/)
  })

  it('accepts members as a paginator or a list, and refuses anything else', () => {
    const m = { id: 1, name: 'M' }
    expect(shape.membersBody({ data: { data: [m] } }, at).list).toEqual([m])
    expect(shape.membersBody({ data: [m] }, at).list).toEqual([m])
    expect(shape.membersBody([m], at).list).toEqual([m])
    expect(() => shape.membersBody({}, at)).toThrow(/neither a paginator/)
    expect(() => shape.membersBody({ data: { items: [] } }, at)).toThrow(/neither a paginator/)
    expect(() => shape.membersBody({ data: [{ name: 'no id' }] }, at)).toThrow(/entry 0 is not a member/)
    expect(() => shape.membersBody('', at)).toThrow(/empty or non-object/)
  })
})

describe('tokens', () => {
  it('refuses white space, controls and non-ASCII, naming the source and not the value', () => {
    expect(token('abc-DEF_123.~', 'ORGCTL_TOKEN')).toBe('abc-DEF_123.~')
    for (const bad of ['a b', 'a\tb', 'a\r\nb', 'a\u001bb', 'aé', '', 'x'.repeat(4097)])
      expect(() => token(bad, 'ORGCTL_TOKEN')).toThrow(/^ORGCTL_TOKEN must be printable ASCII/)
  })
})
