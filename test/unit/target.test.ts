import { describe, expect, it } from 'vitest'

import type { ProfileStore } from '../../src/core/config.js'
import { resolveTarget, sameApi } from '../../src/core/target.js'

const store: ProfileStore = {
  current: 'prod',
  profiles: {
    prod: { apiUrl: 'https://api.example.com', token: 'prod-token' },
    staging: { apiUrl: 'https://staging.example.com', token: 'staging-token' },
  },
}
const load = async () => structuredClone(store)
const empty = async (): Promise<ProfileStore> => ({ profiles: {} })
const db = async () => '/data/orgctl/sandbox.db'

describe('target resolution (flags > env > profile > sandbox)', () => {
  it('uses the sandbox when nothing is configured', async () => {
    expect(await resolveTarget({}, {}, empty, db)).toEqual({
      kind: 'sandbox',
      dbPath: '/data/orgctl/sandbox.db',
    })
    expect(await resolveTarget({}, { ORGCTL_SANDBOX_DB: '/tmp/x.db' }, empty, db)).toEqual({
      kind: 'sandbox',
      dbPath: '/tmp/x.db',
    })
  })

  it('uses the active profile with its token', async () => {
    expect(await resolveTarget({}, {}, load, db)).toMatchObject({
      url: 'https://api.example.com',
      token: 'prod-token',
      tokenSource: 'profile',
    })
  })

  it('prefers --profile over ORGCTL_PROFILE over the active profile', async () => {
    expect(await resolveTarget({ profile: 'staging' }, { ORGCTL_PROFILE: 'prod' }, load, db)).toMatchObject({
      token: 'staging-token',
    })
    expect(await resolveTarget({}, { ORGCTL_PROFILE: 'staging' }, load, db)).toMatchObject({
      token: 'staging-token',
    })
    await expect(resolveTarget({ profile: 'nope' }, {}, load, db)).rejects.toThrow(/No profile named "nope"/)
  })

  it('prefers --api-url over ORGCTL_API_URL over the profile URL, and ORGCTL_TOKEN over the profile token', async () => {
    const env = { ORGCTL_API_URL: 'https://env.example.com', ORGCTL_TOKEN: 'env-token' }
    expect(await resolveTarget({ apiUrl: 'https://flag.example.com' }, env, load, db)).toMatchObject({
      url: 'https://flag.example.com',
      token: 'env-token',
      tokenSource: 'env',
    })
    expect(await resolveTarget({}, env, load, db)).toMatchObject({
      url: 'https://env.example.com',
      tokenSource: 'env',
    })
  })

  it('never sends a profile token to another host', async () => {
    const t = await resolveTarget({ apiUrl: 'https://elsewhere.example.com' }, {}, load, db)
    expect(t).toMatchObject({ kind: 'remote', url: 'https://elsewhere.example.com', tokenSource: 'none' })
    expect(t).not.toHaveProperty('token', 'prod-token')
    expect(await resolveTarget({ apiUrl: 'https://API.example.com/' }, {}, load, db)).toMatchObject({
      token: 'prod-token',
    })
  })

  it('does not read the profile file when flags and env give URL and token', async () => {
    const never = async (): Promise<ProfileStore> => {
      throw new Error('read')
    }
    expect(
      await resolveTarget({}, { ORGCTL_API_URL: 'http://x', ORGCTL_TOKEN: 't' }, never, db),
    ).toMatchObject({ url: 'http://x' })
  })

  it('compares API URLs ignoring case of the host and trailing slashes', () => {
    expect(sameApi('https://A.com/', 'https://a.com')).toBe(true)
    expect(sameApi('https://a.com', 'https://b.com')).toBe(false)
  })
})

describe('a profile whose token lives in the OS keyring', () => {
  const keyringStore: ProfileStore = {
    current: 'kr',
    profiles: { kr: { apiUrl: 'https://api.example.com', tokenStorage: 'keyring' } },
  }
  const loadKr = async () => structuredClone(keyringStore)
  /** A keyring seam that records what it was asked. */
  const reader = (answer: () => string | null) => {
    const asked: string[][] = []
    const read = async (profile: string, apiUrl: string) => {
      asked.push([profile, apiUrl])
      return answer()
    }
    return { asked, read }
  }

  it("asks the keyring for the profile's entry at the profile's URL, and says where the token lives", async () => {
    const k = reader(() => 'kr-token')
    expect(await resolveTarget({}, {}, loadKr, db, k.read)).toMatchObject({
      url: 'https://api.example.com',
      token: 'kr-token',
      tokenSource: 'profile',
      tokenStorage: 'keyring',
    })
    expect(k.asked).toEqual([['kr', 'https://api.example.com']])
    expect(await resolveTarget({}, {}, load, db, k.read)).toMatchObject({ tokenStorage: 'plain' })
    expect(k.asked).toHaveLength(1)
  })

  it('never asks the keyring with ORGCTL_TOKEN, or for another host', async () => {
    const k = reader(() => 'kr-token')
    expect(await resolveTarget({}, { ORGCTL_TOKEN: 'env-token' }, loadKr, db, k.read)).toMatchObject({
      token: 'env-token',
      tokenStorage: 'env',
    })
    const other = await resolveTarget({ apiUrl: 'https://elsewhere.example.com' }, {}, loadKr, db, k.read)
    expect(other).toMatchObject({ tokenSource: 'none' })
    expect(other).not.toHaveProperty('token')
    expect(k.asked).toEqual([])
  })

  it('carries an exit-3 error, not a token, when the keyring fails or has no entry', async () => {
    const broken = reader(() => {
      throw Object.assign(new Error('OS keyring: locked'), { reason: 'locked' })
    })
    const t = await resolveTarget({}, {}, loadKr, db, broken.read)
    expect(t).toMatchObject({ tokenSource: 'none', tokenStorage: 'keyring' })
    expect(t).not.toHaveProperty('token')
    const error = t.kind === 'remote' ? t.tokenError : undefined
    expect(error).toMatchObject({ exitCode: 3 })
    expect(error?.message).toMatch(
      /Profile "kr" keeps its token in the OS keyring, which could not be read \(locked\)/,
    )
    expect(error?.message).toMatch(/ORGCTL_TOKEN/)
    expect(error?.message).toMatch(/--insecure-storage/)

    const gone = await resolveTarget({}, {}, loadKr, db, reader(() => null).read)
    expect(gone.kind === 'remote' ? gone.tokenError?.message : '').toMatch(/has no entry for it/)
  })
})
