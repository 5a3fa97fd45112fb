import { describe, expect, it } from 'vitest'

import { orgAndMember, orgBeforeFile, parseMember, parseRole } from '../../src/core/args.js'
import { roleLabels, resolveRoles, SANDBOX_ROLES, scopeOf } from '../../src/core/names.js'

describe('the shared ORG, MEMBER and role parsers', () => {
  it('MEMBER is an ID (digits only) or an e-mail address (a value with @), else a usage error naming it', () => {
    expect(parseMember(' 7 ', 'MEMBER')).toEqual({ id: 7 })
    expect(parseMember('Bob@Example.com', 'MEMBER')).toEqual({ email: 'Bob@Example.com' })
    expect(() => parseMember('0', 'MEMBER')).toThrow(/MEMBER must be a positive whole number/)
    for (const bad of ['-1', '1e3', 'bob', '7.5'])
      expect(() => parseMember(bad, 'MEMBER'), bad).toThrow(/MEMBER must be a member ID/)
    expect(() => parseMember('bob@', 'MEMBER')).toThrow(/MEMBER must be an e-mail address/)
  })

  it('--role is an ID or a name, names lower-cased', () => {
    expect(parseRole('2', '--role')).toBe(2)
    expect(parseRole('Admin', '--role')).toBe('admin')
    expect(() => parseRole('0', '--role')).toThrow(/--role must be a positive whole number/)
    expect(() => parseRole('a;b', '--role')).toThrow(/--role must be a role ID .* or a role name/)
  })

  it('a first argument that can only be a member is the member when ORG is omitted', async () => {
    const first = { member: { email: 'a@b.test' }, input: 'a@b.test' } as const
    expect(await orgAndMember(first, undefined)).toEqual({ org: undefined, member: { email: 'a@b.test' } })
    await expect(orgAndMember(first, { id: 3 })).rejects.toThrow(/ORG must be an organization ID/)
    const org = { id: '123e4567-e89b-12d3-a456-426614174000' }
    expect(await orgAndMember(org, { id: 3 })).toEqual({ org, member: { id: 3 } })
  })

  it('[ORG] FILE: one value is the file', async () => {
    expect(await orgBeforeFile('logo.png', undefined)).toEqual({ org: undefined, file: 'logo.png' })
    await expect(orgBeforeFile(undefined, undefined)).rejects.toThrow(/Missing required argument FILE/)
  })
})

describe('role names', () => {
  it('resolves names and IDs, without duplicates; an unknown name lists the known ones', () => {
    expect(resolveRoles(['admin', 4, 2], SANDBOX_ROLES, 'the local sandbox')).toEqual([2, 4])
    expect(() => resolveRoles(['boss'], SANDBOX_ROLES, 'the local sandbox')).toThrow(
      'no role named "boss" for the local sandbox; known: owner (1), admin (2), member (3), billing (4)',
    )
    expect(() => resolveRoles(['boss'], {}, 'profile "prod"')).toThrow(/orgctl roles set NAME=ID/)
  })

  it('labels roles for tables as people write them', () => {
    expect(roleLabels(SANDBOX_ROLES).get(2)).toBe('Admin')
  })
})

describe('where defaults belong', () => {
  it('to the profile, the sandbox, or the API URL without a profile', () => {
    expect(scopeOf({ kind: 'sandbox', dbPath: '/x' })).toBe('sandbox')
    expect(scopeOf({ kind: 'remote', url: 'https://A.example/', tokenSource: 'env', profile: 'prod' })).toBe(
      'prod',
    )
    expect(scopeOf({ kind: 'remote', url: 'https://A.example/', tokenSource: 'env' })).toBe(
      'https://a.example',
    )
  })
})
