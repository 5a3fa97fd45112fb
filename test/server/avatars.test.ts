import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../helpers/server.js'

let s: TestServer
let orgId: string
beforeAll(async () => {
  s = await startTestServer()
  orgId = await s.createOrg(s.adminToken)
})
afterAll(async () => s.close())

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('rest of a png'),
])
const SAMPLES: Record<string, Buffer> = {
  png: PNG,
  jpg: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('jfif')]),
  gif: Buffer.from('GIF89a....'),
  webp: Buffer.concat([Buffer.from('RIFF'), Buffer.from([1, 0, 0, 0]), Buffer.from('WEBPVP8 ')]),
}

function form(
  bytes: Buffer,
  name = 'avatar.bin',
  type = 'application/octet-stream',
  field = 'file',
): FormData {
  const data = new FormData()
  data.append(field, new Blob([bytes], { type }), name)
  return data
}

const upload = (body: RequestInit['body'], headers?: Record<string, string>) =>
  s.request('POST', `/api/organizations/${orgId}/upload-avatar`, { body, ...(headers ? { headers } : {}) })

describe('upload avatar', () => {
  it.each(Object.keys(SAMPLES))(
    'accepts a %s by its bytes and serves it back at an absolute URL',
    async (ext) => {
      const res = await upload(form(SAMPLES[ext]!, 'whatever.txt', 'text/plain'))
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ success: true, message: 'File uploaded successfully' })
      const url: string = res.body.data.avatarUrl
      expect(url).toMatch(new RegExp(`^${s.url}/media/avatars/[0-9a-f]{64}\\.${ext}$`))
      const org = await s.request('GET', `/api/organizations/${orgId}`)
      expect(org.body.avatarUrl).toBe(url)
      const served = await s.request('GET', new URL(url).pathname, { token: null })
      expect(served.status).toBe(200)
      expect(served.headers.get('content-type')).toBe(
        { png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' }[ext],
      )
    },
  )

  it('answers 415 for a file that is not an image, whatever its name and declared type', async () => {
    const res = await upload(
      form(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'evil.png', 'image/png'),
    )
    expect(res.status).toBe(415)
  })

  it('answers 413 for an image over 2 MiB', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)])
    const res = await upload(form(big))
    expect(res.status).toBe(413)
  })

  it('accepts an image of exactly 2 MiB', async () => {
    const exact = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024 - PNG.length)])
    expect((await upload(form(exact))).status).toBe(200)
  })

  it('answers 422 naming file when the form has no file field', async () => {
    const res = await upload(form(PNG, 'a.png', 'image/png', 'picture'))
    expect(res.status).toBe(422)
    expect(res.body.errors.file).toEqual(['The file field is required.'])
  })

  it('answers 415 to a JSON body', async () => {
    const res = await upload(JSON.stringify({ file: 'x' }), { 'content-type': 'application/json' })
    expect(res.status).toBe(415)
  })

  it('never uses the client’s file name in a path', async () => {
    const res = await upload(form(SAMPLES.gif!, '../../../etc/passwd'))
    expect(res.status).toBe(200)
    expect(res.body.data.avatarUrl).not.toContain('passwd')
  })

  it('answers 404 for an avatar that was never uploaded, or a name outside the pattern', async () => {
    expect((await s.request('GET', `/media/avatars/${'0'.repeat(64)}.png`, { token: null })).status).toBe(404)
    const odd = await s.request('GET', '/media/avatars/..%2F..%2Fsandbox.db', {
      token: null,
      contract: false,
    })
    expect(odd.status).toBe(404)
  })

  it('answers 403 to a plain member and 404 to an outsider', async () => {
    const { token } = await s.addMember(orgId, 'viewer@avatar.test', [3])
    const member = await s.request('POST', `/api/organizations/${orgId}/upload-avatar`, {
      token,
      body: form(PNG),
    })
    expect(member.status).toBe(403)
    const stranger = await s.user('stranger@avatar.test')
    const outsider = await s.request('POST', `/api/organizations/${orgId}/upload-avatar`, {
      token: stranger.token,
      body: form(PNG),
    })
    expect(outsider.status).toBe(404)
  })
})
