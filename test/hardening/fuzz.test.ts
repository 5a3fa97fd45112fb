import { existsSync, readFileSync } from 'node:fs'

import Database from 'better-sqlite3'
import fc from 'fast-check'
import { Pool } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { sha256 } from '../../src/server/crypto.js'
import { outboxPath } from '../../src/server/paths.js'
import { assertMatchesContract } from '../helpers/contract.js'
import { startTestServer, type TestServer } from '../helpers/server.js'

/**
 * Property-based fuzzing of the sandbox over real HTTP. Batches of generated requests (valid and
 * broken bodies, headers, path parameters, content types and sizes, for every operation) go out
 * concurrently on keep-alive connections; every answer must be below 500 and, for a documented
 * operation, match api/openapi.yaml. Afterwards the database must be whole and consistent.
 *
 * Bounded twice: NUM_RUNS batches, and a time limit that ends the run early (reported, and failing
 * the count check) rather than letting it hang. Replay a failure with FUZZ_SEED=<seed>.
 */
const BATCH = 64
const TARGET_REQUESTS = 10_240
const NUM_RUNS = Math.ceil(TARGET_REQUESTS / BATCH)
const TIME_LIMIT_MS = 70_000
const CONNECTIONS = 16

interface FuzzRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: string | Buffer
}

let s: TestServer
let pool: Pool
const serverErrors: string[] = []
const fx = {
  orgIds: [] as string[],
  memberIds: [] as number[],
  workspaceIds: [] as string[],
  inviteTokens: [] as string[],
  emails: ['owner@fuzz.test', 'admin@fuzz.test', 'member@fuzz.test', 'outsider@fuzz.test'],
  tokens: {} as Record<string, string>,
}

beforeAll(async () => {
  s = await startTestServer({
    log: (line) => {
      // Request lines end in "<status> <n>ms"; the error handler logs "<time> error ...".
      if (/^\S+ error /.test(line) || / 5\d\d \d+ms/.test(line)) serverErrors.push(line)
    },
  })
  pool = new Pool(s.url, { connections: CONNECTIONS, pipelining: 1, keepAliveTimeout: 30_000 })
  fx.tokens.owner = (await s.user('owner@fuzz.test')).token
  const orgA = await s.createOrg(fx.tokens.owner, { name: 'Fuzz A', countryCode: 'US' })
  fx.tokens.admin = (await s.addMember(orgA, 'admin@fuzz.test', [2])).token
  fx.tokens.member = (await s.addMember(orgA, 'member@fuzz.test', [3])).token
  fx.tokens.outsider = (await s.user('outsider@fuzz.test')).token
  const orgB = await s.createOrg(fx.tokens.outsider, { name: 'Fuzz B', countryCode: 'EG' })
  const orgC = await s.createOrg(s.adminToken, { name: 'Fuzz C', countryCode: 'DE' })
  fx.orgIds.push(orgA, orgB, orgC)
  for (const org of fx.orgIds) {
    for (let i = 0; i < 3; i++) {
      const email = `extra${i}-${org.slice(0, 4)}@fuzz.test`
      fx.memberIds.push((await s.addMember(org, email, [3])).memberId)
      fx.emails.push(email)
    }
    const list = await s.request('GET', `/api/organizations/${org}/members?per_page=100`)
    for (const m of list.body.data.data as { id: number; workspaces: string[] }[]) {
      if (!fx.memberIds.includes(m.id)) fx.memberIds.push(m.id)
      for (const w of m.workspaces) if (!fx.workspaceIds.includes(w)) fx.workspaceIds.push(w)
    }
  }
  for (let i = 0; i < 24; i++) {
    const email = `pending${i}@fuzz.test`
    const res = await s.request('POST', `/api/organizations/${fx.orgIds[i % 3]}/invite`, {
      json: { email, name: `Pending ${i}`, roles: [3] },
    })
    expect(res.status).toBe(200)
    fx.inviteTokens.push(await s.inviteToken(email))
  }
})
afterAll(async () => {
  await pool?.close()
  await s?.close()
})

// --- generators ---

const printable = (max: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max })
const anyText = (max: number) => fc.string({ unit: 'binary', maxLength: max })

const junkSegment = fc.oneof(
  fc.constantFrom(
    '..',
    '%2e%2e',
    '%2F..%2F..%2Fetc%2Fpasswd',
    '%00',
    '%E0%A4%A',
    'a'.repeat(300),
    encodeURIComponent("1' OR '1'='1"),
    '-1',
    '0',
    '99999999999999999999',
    '1.5',
    '1e3',
    '00000000-0000-0000-0000-000000000000',
    '%20',
  ),
  anyText(40).map((t) => encodeURIComponent(t) || 'x'),
  fc.integer().map(String),
)

const orgSegment = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...['A', 'B', 'C']).map((k) => fx.orgIds['ABC'.indexOf(k)]!) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: junkSegment },
)
const memberSegment = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 200 }).map((i) => String(fx.memberIds[i % fx.memberIds.length])) },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 2_000_000 }).map(String) },
  { weight: 2, arbitrary: junkSegment },
)
const inviteSegment = fc.oneof(
  { weight: 2, arbitrary: fc.nat({ max: 100 }).map((i) => fx.inviteTokens[i % fx.inviteTokens.length]!) },
  { weight: 1, arbitrary: fc.base64String({ minLength: 4, maxLength: 60 }).map(encodeURIComponent) },
  { weight: 2, arbitrary: junkSegment },
)

const roleId = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 4 }) },
  { weight: 1, arbitrary: fc.integer() },
)
const email = fc.oneof(
  { weight: 4, arbitrary: fc.emailAddress() },
  { weight: 2, arbitrary: fc.constantFrom(...fx.emails) },
  { weight: 1, arbitrary: anyText(30) },
)
const country = fc.constantFrom('US', 'EG', 'DE', 'FR', 'XX', 'us', '', 'USA')
const name = fc.oneof(
  { weight: 4, arbitrary: anyText(30) },
  { weight: 1, arbitrary: fc.constant('n'.repeat(300)) },
)
const maybeNull = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.constant(null))

/** A plausible body per operation; mutated below into broken ones. */
const validBodies: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  create: fc.record(
    { name, countryCode: country, type: anyText(10) },
    { requiredKeys: ['name', 'countryCode'] },
  ),
  patch: fc.record(
    {
      name,
      avatarUrl: maybeNull(fc.oneof(fc.webUrl(), anyText(20))),
      status: fc.constantFrom('active', 'suspended', 'inactive', 'deleted'),
      statusReason: maybeNull(anyText(40)),
    },
    { requiredKeys: [] },
  ),
  member: fc.record({
    workspaces: fc.array(
      fc.oneof(
        {
          weight: 4,
          arbitrary: fc.nat({ max: 20 }).map((i) => fx.workspaceIds[i % fx.workspaceIds.length]!),
        },
        { weight: 1, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: anyText(10) },
      ),
      { maxLength: 4 },
    ),
    roles: fc.array(roleId, { maxLength: 5 }),
  }),
  charge: fc.record(
    {
      amount: fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.integer(), fc.double(), fc.constant(0)),
      service: fc.constantFrom('sms', 'sms', 'email', ''),
      sms_point: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer(), fc.constant(0)),
      reason: maybeNull(anyText(30)),
    },
    { requiredKeys: ['amount', 'service'] },
  ),
  invite: fc.record({ email, name, roles: fc.array(roleId, { maxLength: 4 }) }),
  accept: fc.oneof(
    fc.string({ minLength: 8, maxLength: 20 }).map((p) => ({ password: p, password_confirmation: p })),
    fc.record({ password: anyText(12), password_confirmation: anyText(12) }),
  ),
  token: fc.record({ email, name }, { requiredKeys: ['email'] }),
}

const BIG = Buffer.alloc(1024 * 1024 + 64, 0x20)

/** A body for an operation: usually valid JSON, sometimes subtly or grossly wrong. */
function bodyFor(kind: keyof typeof validBodies): fc.Arbitrary<string | Buffer | undefined> {
  const valid = validBodies[kind]!
  return fc.oneof(
    { weight: 12, arbitrary: valid.map((b) => JSON.stringify(b)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid, printable(12), fc.jsonValue())
        .map(([b, k, v]) => JSON.stringify({ ...b, [k]: v })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, fc.nat()).map(([b, i]) => {
        const keys = Object.keys(b)
        const copy: Record<string, unknown> = { ...b }
        if (keys.length) delete copy[keys[i % keys.length]!]
        return JSON.stringify(copy)
      }),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: anyText(60) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)) },
    { weight: 1, arbitrary: valid.map((b) => JSON.stringify(b).slice(0, -3)) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.nat({ max: 3000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`) },
    {
      weight: 1,
      arbitrary: fc.constant('{"__proto__": {"is_platform_admin": 1}, "constructor": {"prototype": {}}}'),
    },
    // Over the 1 MiB body limit, rarely: each costs a megabyte on the wire.
    { weight: 1, arbitrary: fc.nat({ max: 19 }).map((n) => (n === 0 ? BIG : '{}')) },
  )
}

const contentType = fc.oneof(
  { weight: 14, arbitrary: fc.constant('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=fuzz',
      'multipart/form-data',
      'application/vnd.api+json',
      'application/json; charset=latin1',
      '*/*',
      '',
    ),
  },
  { weight: 1, arbitrary: printable(30) },
  { weight: 2, arbitrary: fc.constant(undefined) },
)

const keyPool = ['fuzz-key-1', 'fuzz-key-2', 'fuzz-key-3', 'fuzz-key-4']
const idempotencyKey = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: fc.constantFrom(...keyPool) },
  { weight: 1, arbitrary: fc.constantFrom('k'.repeat(256), ' ', 'tab\there', 'caf\u00e9', 'x'.repeat(255)) },
  { weight: 1, arbitrary: printable(30) },
)

const authorization = fc.oneof(
  { weight: 8, arbitrary: fc.constant(() => `Bearer ${s.adminToken}`) },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('owner', 'admin', 'member', 'outsider')
      .map((k) => () => `Bearer ${fx.tokens[k]}`),
  },
  { weight: 1, arbitrary: fc.constant(() => undefined) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(printable(60), fc.constantFrom('Bearer', 'Bearer ', 'Basic YTpi', 'bearer x y'))
      .map((v) => () => v),
  },
)

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const fileBytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.concat([PNG, Buffer.from(a)])),
  fc
    .uint8Array({ maxLength: 300 })
    .map((a) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from(a)])),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.concat([Buffer.from('GIF89a'), Buffer.from(a)])),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.constant(Buffer.alloc(0)),
)
const fileName = fc.oneof(
  fc.constantFrom('a.png', '../../evil.png', '..\\..\\evil.png', '/etc/passwd', '', '.png', 'x'.repeat(400)),
  printable(30).map((n) => n.replace(/["\\]/g, '_')),
)

/** A hand-written multipart body: sometimes well formed, sometimes cut short or with the wrong field. */
const multipart = fc
  .record({
    bytes: fileBytes,
    filename: fileName,
    field: fc.constantFrom('file', 'file', 'file', 'avatar', ''),
    cut: fc.boolean(),
  })
  .map(({ bytes, filename, field, cut }) => {
    const head = `--fuzz\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n`
    const tail = cut ? '' : '\r\n--fuzz--\r\n'
    return Buffer.concat([Buffer.from(head, 'latin1'), bytes, Buffer.from(tail)])
  })

const query = (params: Record<string, fc.Arbitrary<string>>) =>
  fc.record(params, { requiredKeys: [] }).map((q) => {
    const entries = Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined)
    return entries.length ? `?${entries.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : ''
  })
const numberish = fc.oneof(
  fc.integer({ min: -3, max: 300 }).map(String),
  fc.constantFrom('', '1.5', 'abc', '1e2', '99999999999999999999'),
)

/** One request to one of the operations (or a path/method the API does not have). */
interface Target {
  method: string
  path: string
  body?: keyof typeof validBodies | 'multipart'
}

const requestArb: fc.Arbitrary<FuzzRequest> = fc
  .record({
    op: fc.oneof(
      ...[
        fc.constant({ method: 'POST', path: '/api/organizations', body: 'create' }),
        orgSegment.map((o) => ({ method: 'GET', path: `/api/organizations/${o}` })),
        orgSegment.map((o) => ({ method: 'PATCH', path: `/api/organizations/${o}`, body: 'patch' })),
        orgSegment.map((o) => ({
          method: 'POST',
          path: `/api/organizations/${o}/upload-avatar`,
          body: 'multipart',
        })),
        fc
          .tuple(orgSegment, query({ page: numberish, per_page: numberish }))
          .map(([o, q]) => ({ method: 'GET', path: `/api/organizations/${o}/members${q}` })),
        fc
          .tuple(orgSegment, memberSegment)
          .map(([o, m]) => ({ method: 'PUT', path: `/api/organizations/${o}/members/${m}`, body: 'member' })),
        fc
          .tuple(orgSegment, memberSegment)
          .map(([o, m]) => ({ method: 'DELETE', path: `/api/organizations/${o}/members/${m}` })),
        orgSegment.map((o) => ({
          method: 'POST',
          path: `/api/admin/organizations/${o}/charge`,
          body: 'charge',
        })),
        orgSegment.map((o) => ({ method: 'POST', path: `/api/organizations/${o}/invite`, body: 'invite' })),
        inviteSegment.map((t) => ({
          method: 'POST',
          path: `/api/organizations/invite/${t}/accept`,
          body: 'accept',
        })),
        fc
          .tuple(orgSegment, query({ limit: numberish }))
          .map(([o, q]) => ({ method: 'GET', path: `/api/admin/organizations/${o}/wallet${q}` })),
        query({ to: email.map(String), organizationId: orgSegment, limit: numberish }).map((q) => ({
          method: 'GET',
          path: `/api/sandbox/outbox${q}`,
        })),
        fc.constant({ method: 'POST', path: '/api/sandbox/tokens', body: 'token' }),
        junkSegment.map((f) => ({ method: 'GET', path: `/media/avatars/${f}` })),
        fc
          .tuple(
            fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
            junkSegment,
            orgSegment,
          )
          .chain(([method, j, o]) =>
            fc
              .constantFrom(
                `/api/${j}`,
                `/api/organizations/${o}/${j}`,
                `//api/organizations`,
                `/api/organizations/${o}?x=${j}`,
              )
              .map((path) => ({ method, path })),
          ),
      ].map((arbitrary: fc.Arbitrary<Target>) => ({ weight: 1, arbitrary })),
    ),
    auth: authorization,
    type: contentType,
    key: idempotencyKey,
    json: fc.oneof(...Object.keys(validBodies).map((k) => bodyFor(k))),
    form: multipart,
    bodies: fc.record(Object.fromEntries(Object.keys(validBodies).map((k) => [k, bodyFor(k)]))),
  })
  .map(({ op, auth, type, key, form, bodies }) => {
    const headers: Record<string, string> = {}
    const bearer = auth()
    if (bearer !== undefined) headers.authorization = bearer
    if (key !== undefined && op.method === 'POST') headers['idempotency-key'] = key
    let body: string | Buffer | undefined
    if (op.body === 'multipart') {
      body = form
      headers['content-type'] =
        type === 'application/json' || type === undefined ? 'multipart/form-data; boundary=fuzz' : type
    } else if (op.body) {
      body = bodies[op.body]
      if (type !== undefined) headers['content-type'] = type
    }
    return { method: op.method, path: op.path, headers, ...(body === undefined ? {} : { body }) }
  })

// --- sending ---

const stats = { sent: 0, byStatus: new Map<number, number>(), clientErrors: 0 }

async function send(req: FuzzRequest): Promise<void> {
  let status: number
  let text: string
  let headers: Headers
  try {
    const res = await pool.request({
      method: req.method as 'GET',
      path: req.path,
      headers: req.headers,
      ...(req.body === undefined ? {} : { body: req.body }),
    })
    status = res.statusCode
    text = await res.body.text()
    headers = new Headers()
    for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v)
  } catch (error) {
    // The server may answer 413 before reading a body over the limit and close the socket while we
    // still write it: that is the limit working, not a crash.
    stats.sent++
    stats.clientErrors++
    if (req.body && req.body.length > 1024 * 1024) return
    throw error
  }
  stats.sent++
  stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1)
  if (status >= 500) throw new Error(`${req.method} ${req.path} → ${status} ${text.slice(0, 300)}`)
  const pathname = req.path.split('?')[0]!
  if (req.method !== 'HEAD' && req.method !== 'OPTIONS' && !pathname.startsWith('//')) {
    try {
      assertMatchesContract({ method: req.method, path: pathname, status, headers, text })
    } catch (error) {
      // Paths the spec does not have (the fuzzer's junk routes) can only answer 404.
      if (!/no operation in api\/openapi\.yaml/.test(String(error))) throw error
      if (status !== 404)
        throw new Error(`${req.method} ${req.path} → ${status}, expected 404 for an unknown route`)
    }
  }
}

// --- invariants ---

function mainDatabaseBytes(dbPath: string): Buffer {
  return Buffer.concat([dbPath, `${dbPath}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)))
}

describe('fuzzing the sandbox over HTTP', () => {
  it('answers 10,000+ generated requests without a 5xx or a contract breach, and keeps its data consistent', async () => {
    const seed = process.env.FUZZ_SEED
      ? Number(process.env.FUZZ_SEED)
      : Date.now() ^ (Math.random() * 2 ** 31)
    const started = performance.now()
    const result = await fc.check(
      fc.asyncProperty(fc.array(requestArb, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        await Promise.all(batch.map(send))
      }),
      {
        numRuns: NUM_RUNS,
        seed,
        interruptAfterTimeLimit: TIME_LIMIT_MS,
        markInterruptAsFailure: false,
        endOnFailure: true,
      },
    )
    const seconds = (performance.now() - started) / 1000
    const rate = Math.round(stats.sent / seconds)
    // The figures issue 7 asks for; shown in the test output.
    console.log(
      `fuzz: ${stats.sent} requests in ${seconds.toFixed(1)} s (${rate}/s, ${CONNECTIONS} connections, batches of ${BATCH}), seed ${seed}; statuses ${JSON.stringify(Object.fromEntries([...stats.byStatus].sort((a, b) => a[0] - b[0])))}; client-side aborts on >1 MiB bodies ${stats.clientErrors}`,
    )
    if (result.failed) {
      const example = result.counterexample?.[0]?.find(() => true)
      throw new Error(
        `fuzz failure (FUZZ_SEED=${seed}): ${String(result.errorInstance)}\nfirst request of the batch: ${JSON.stringify(example)?.slice(0, 500)}`,
      )
    }
    expect(stats.sent).toBeGreaterThanOrEqual(10_000)
    expect(serverErrors).toEqual([])

    // The server still answers.
    const alive = await s.request('GET', `/api/organizations/${fx.orgIds[0]}`)
    expect(alive.status).toBe(200)

    const db = new Database(s.dbPath, { readonly: true })
    try {
      db.exec(`ATTACH DATABASE '${outboxPath(s.dbPath).replace(/'/g, "''")}' AS outbox`)
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(db.pragma('outbox.integrity_check', { simple: true })).toBe('ok')
      expect(db.pragma('foreign_key_check')).toEqual([])

      // Each member belongs to an existing organization (and an existing user).
      const orphans = db
        .prepare(
          `SELECT count(*) AS n FROM members m
           LEFT JOIN organizations o ON o.id = m.organization_id LEFT JOIN users u ON u.id = m.user_id
           WHERE o.id IS NULL OR u.id IS NULL`,
        )
        .get() as { n: number }
      expect(orphans.n).toBe(0)
      // Every organization keeps an Owner.
      const ownerless = db
        .prepare(
          `SELECT count(*) AS n FROM organizations o WHERE NOT EXISTS (
             SELECT 1 FROM members m JOIN member_roles r ON r.member_id = m.id
             WHERE m.organization_id = o.id AND r.role_id = 1)`,
        )
        .get() as { n: number }
      expect(ownerless.n).toBe(0)

      // Each wallet balance the API shows equals the sum of its ledger.
      const sums = db
        .prepare(
          `SELECT o.id, coalesce(sum(l.amount), 0) AS amount, coalesce(sum(l.sms_points), 0) AS points, count(l.id) AS n
           FROM organizations o LEFT JOIN ledger l ON l.organization_id = o.id GROUP BY o.id`,
        )
        .all() as { id: string; amount: number; points: number; n: number }[]
      expect(sums.some((w) => w.n > 0)).toBe(true)
      for (const w of sums.filter((w) => w.n > 0 || fx.orgIds.includes(w.id))) {
        const wallet = await s.request('GET', `/api/admin/organizations/${w.id}/wallet`)
        expect(wallet.body.data.balance, w.id).toEqual({ amount: w.amount, smsPoints: w.points })
      }

      // No invitation token in plain text in the main database or its WAL; each is stored as its hash.
      const issued = (
        db.prepare('SELECT invite_token AS t FROM outbox.messages').all() as { t: string }[]
      ).map((r) => r.t)
      expect(issued.length).toBeGreaterThan(fx.inviteTokens.length)
      const hashes = new Set(
        (db.prepare('SELECT token_hash AS h FROM invitations').all() as { h: string }[]).map((r) => r.h),
      )
      const bytes = mainDatabaseBytes(s.dbPath)
      for (const token of issued) {
        expect(hashes.has(sha256(token))).toBe(true)
        expect(bytes.includes(Buffer.from(token)), 'an invite token in the main database').toBe(false)
      }
    } finally {
      db.close()
    }
  }, 120_000)
})
