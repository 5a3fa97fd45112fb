import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { freshHome, runCli } from '../helpers/cli.js'
import { startTestServer, type TestServer } from '../helpers/server.js'
import { tempDir } from '../helpers/tmp.js'

/**
 * Hostile avatar files, through the CLI (which checks before sending) and straight at the API (which
 * must not trust the client). Decision: a PNG signature followed by garbage is accepted. The sandbox
 * recognises images by their first bytes (DESIGN.md decision 11) and does not decode them; it stores
 * the bytes under their SHA-256 with the detected extension and serves them with that type and
 * `X-Content-Type-Options: nosniff`, so the rest of the file can never be read as anything else.
 */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const MIB = 1024 * 1024

let root: string
let sandboxDir: string
let s: TestServer
let orgId: string
let files: string
let env: Record<string, string>

/** Every file and folder under `dir`, relative to it. */
function tree(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name)
      out.push(relative(dir, full))
      if (statSync(full).isDirectory()) walk(full)
    }
  }
  walk(dir)
  return out.sort()
}

/** New entries under the root other than the sandbox's own database files and media folder. */
function writtenOutsideMedia(before: string[]): string[] {
  const sandbox = relative(root, sandboxDir)
  return tree(root)
    .filter((p) => !before.includes(p))
    .filter(
      (p) =>
        !new RegExp(
          `^${sandbox}/(sandbox(\\.outbox)?\\.db(-wal|-shm|-journal)?|sandbox\\.media(/[0-9a-f]{64}\\.(png|jpg|gif|webp))?)$`,
        ).test(p),
    )
}

function rawForm(bytes: Buffer, filename: string): { body: Buffer; headers: Record<string, string> } {
  const head = `--b0undary\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n`
  return {
    body: Buffer.concat([Buffer.from(head, 'latin1'), bytes, Buffer.from('\r\n--b0undary--\r\n')]),
    headers: { 'content-type': 'multipart/form-data; boundary=b0undary' },
  }
}

const upload = (bytes: Buffer, filename: string) =>
  s.request('POST', `/api/organizations/${orgId}/upload-avatar`, rawForm(bytes, filename))

beforeAll(async () => {
  // The sandbox lives two levels down, so that "../../evil.png" from its media folder lands in `root`.
  root = tempDir('uploads')
  sandboxDir = join(root, 'a', 'b')
  mkdirSync(sandboxDir, { recursive: true })
  s = await startTestServer({ dbPath: join(sandboxDir, 'sandbox.db') })
  orgId = await s.createOrg(s.adminToken)
  files = join(root, 'files')
  mkdirSync(files)
  env = { ...freshHome(), ORGCTL_API_URL: s.url, ORGCTL_TOKEN: s.adminToken }
})
afterAll(async () => {
  await s.close()
  rmSync(root, { recursive: true, force: true })
})

describe('hostile uploads through the CLI: refused before anything is sent', () => {
  it.each([
    [
      'a file over 2 MiB',
      'big.png',
      Buffer.concat([PNG_SIGNATURE, Buffer.alloc(2 * MIB)]),
      /must be at most 2 MiB/,
    ],
    [
      'a text file named .png',
      'notes.png',
      Buffer.from('just some text, not an image\n'),
      /must be a PNG, JPEG, GIF or WebP image/,
    ],
    ['an empty file', 'empty.png', Buffer.alloc(0), /must be a PNG, JPEG, GIF or WebP image/],
  ])('%s exits 2 with a message naming the problem', async (_label, name, bytes, message) => {
    const path = join(files, name)
    writeFileSync(path, bytes)
    const before = tree(root)
    const avatarBefore = (await s.request('GET', `/api/organizations/${orgId}`)).body.avatarUrl
    const r = await runCli(['org', 'avatar', orgId, path, '--json'], { env })
    expect(r.code).toBe(2)
    expect(r.json().error.message).toMatch(message)
    expect((await s.request('GET', `/api/organizations/${orgId}`)).body.avatarUrl).toBe(avatarBefore)
    expect(writtenOutsideMedia(before)).toEqual([])
  })

  it('a PNG signature followed by garbage is accepted, stored by hash, and served as image/png with nosniff', async () => {
    const path = join(files, 'garbage.png')
    writeFileSync(path, Buffer.concat([PNG_SIGNATURE, Buffer.from('<html><script>alert(1)</script></html>')]))
    const before = tree(root)
    const r = await runCli(['org', 'avatar', orgId, path, '--json'], { env })
    expect(r.code).toBe(0)
    const url: string = r.json().avatarUrl
    expect(url).toMatch(/\/media\/avatars\/[0-9a-f]{64}\.png$/)
    const served = await s.request('GET', new URL(url).pathname, { token: null })
    expect(served.headers.get('content-type')).toBe('image/png')
    expect(served.headers.get('x-content-type-options')).toBe('nosniff')
    expect(writtenOutsideMedia(before)).toEqual([])
  })
})

describe('hostile uploads straight at the API', () => {
  it('answers 413 with the limit for a file over 2 MiB, and stores nothing', async () => {
    const before = tree(root)
    const res = await upload(Buffer.concat([PNG_SIGNATURE, Buffer.alloc(2 * MIB)]), 'big.png')
    expect(res.status).toBe(413)
    expect(res.body.message).toBe('The file may not be greater than 2048 kilobytes.')
    expect(writtenOutsideMedia(before)).toEqual([])
  })

  it.each([
    ['a text file named .png', Buffer.from('GIF? no, plain text\n')],
    ['an empty file', Buffer.alloc(0)],
    [
      'an SVG named .png',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ],
  ])('answers 415 naming the accepted types for %s', async (_label, bytes) => {
    const before = tree(root)
    const res = await upload(bytes, 'avatar.png')
    expect(res.status).toBe(415)
    expect(res.body.message).toBe('The file must be a file of type png, jpeg, gif, webp.')
    expect(writtenOutsideMedia(before)).toEqual([])
  })

  it.each([
    '../../evil.png',
    '../../../../../../tmp/evil.png',
    '..\\..\\evil.png',
    '/etc/evil.png',
    'evil.png%00.txt',
  ])(
    'stores an image sent with the file name %s inside the media folder only, under its hash',
    async (filename) => {
      const bytes = Buffer.concat([PNG_SIGNATURE, Buffer.from(`traversal ${filename}`)])
      const before = tree(root)
      const res = await upload(bytes, filename)
      expect(res.status).toBe(200)
      expect(res.body.data.avatarUrl).not.toMatch(/evil|\.\./)
      const added = tree(root).filter((p) => !before.includes(p))
      expect(added.filter((p) => p.includes('evil'))).toEqual([])
      expect(writtenOutsideMedia(before)).toEqual([])
      expect(
        readdirSync(join(sandboxDir, 'sandbox.media')).every((f) =>
          /^[0-9a-f]{64}\.(png|jpg|gif|webp)$/.test(f),
        ),
      ).toBe(true)
    },
  )
})
