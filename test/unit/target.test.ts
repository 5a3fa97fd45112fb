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
