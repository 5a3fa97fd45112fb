import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startTestServer, type TestServer } from '../helpers/server.js'

// Defects the fuzzer found, pinned as plain examples so that they stay fixed whatever the seed.
let s: TestServer
let orgId: string
beforeAll(async () => {
  s = await startTestServer()
  orgId = await s.createOrg(s.adminToken)
})
afterAll(async () => s.close())

describe('found by fuzzing', () => {
  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'])(
    'answers 422 naming an unknown body field called %s, not a 500',
    async (field) => {
      const res = await s.request('POST', '/api/sandbox/tokens', {
        json: { email: 'a@fuzz.test', [field]: 1 },
      })
      expect(res.status).toBe(422)
      expect(res.body.errors[field]).toEqual([expect.stringMatching(/is not allowed\.$/)])
    },
  )

  it('answers a members page far past the end with an empty page, not a 500', async () => {
    for (const page of ['99999999999999999999', String(2 ** 53), '9'.repeat(40)]) {
      const res = await s.request('GET', `/api/organizations/${orgId}/members?page=${page}&per_page=100`)
      expect(res.status, page).toBe(200)
      expect(res.body.data.data).toEqual([])
      expect(res.body.data.total).toBe(1)
    }
  })
})
