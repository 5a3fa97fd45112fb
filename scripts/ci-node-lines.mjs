// CI on other Node.js lines (.ci/run): runs the built CLI (bin/run.js) with the Node.js that runs this
// script, against the sandbox, and fails on any unexpected exit code or signal (better-sqlite3 12 on
// Node 24.19 and later dies with SIGABRT, exit 134, nodejs/node#65446).
//
//   node scripts/ci-node-lines.mjs smoke   the main sandbox commands once; prints the SQLite driver
//   node scripts/ci-node-lines.mjs load    at least 200 sandbox commands, then `server start` under
//                                          autocannon; prints the figures
//
// Temporary folders are removed on exit.
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')
const BIN = join(ROOT, 'bin/run.js')
const mode = process.argv[2]
const dir = mkdtempSync(join(tmpdir(), `orgctl-node${process.versions.node.split('.')[0]}-`))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))

const env = {
  PATH: process.env.PATH ?? '',
  HOME: dir,
  XDG_CONFIG_HOME: join(dir, '.config'),
  XDG_DATA_HOME: join(dir, '.local/share'),
  NO_COLOR: '1',
  ORGCTL_SANDBOX_DB: join(dir, 'sandbox.db'),
}

function fail(message) {
  console.error(`ci-node-lines (Node.js ${process.versions.node}): FAIL: ${message}`)
  process.exit(1)
}

/** Runs `orgctl ...args` with this Node.js; resolves with code, signal, stdout, stderr. */
function orgctl(args, expectCode = 0) {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0
        const signal = error?.signal ?? null
        // node:sqlite on Node 22 warns that it is experimental; a warning is a failure on every line.
        if (/(Experimental|Deprecation)Warning/.test(stderr))
          fail(`orgctl ${args.join(' ')} printed a warning:\n${stderr.slice(-2000)}`)
        if (signal || code !== expectCode)
          fail(
            `orgctl ${args.join(' ')}: exit ${code} signal ${signal} (expected ${expectCode})\n${stderr.slice(-2000)}`,
          )
        done({ stdout, stderr })
      },
    )
    child.stdin?.end()
  })
}

const json = async (args) => JSON.parse((await orgctl([...args, '--json'])).stdout)

async function smoke() {
  const created = await orgctl([
    'org',
    'create',
    '--name',
    'Smoke',
    '--country-code',
    'US',
    '--json',
    '--debug',
  ])
  const driver = /\[debug\] sandbox SQLite driver: (.*)/.exec(created.stderr)?.[1]
  if (!driver) fail(`no driver line in:\n${created.stderr}`)
  // CI says which driver this line must use (node:sqlite from Node 24, better-sqlite3 before).
  const expected = process.env.CI_EXPECT_DRIVER
  if (expected && !driver.startsWith(`${expected} `)) fail(`SQLite driver ${driver}, expected ${expected}`)
  const org = JSON.parse(created.stdout).id
  const got = await json(['org', 'get', org])
  if (got.name !== 'Smoke') fail(`org get: ${JSON.stringify(got)}`)
  const members = await json(['members', 'list', org])
  if (members.members?.length !== 1) fail(`members list: ${JSON.stringify(members)}`)
  await json(['invite', 'send', org, '--email', 'ada@example.com', '--name', 'Ada', '--role', '3'])
  const outbox = await json(['sandbox', 'outbox', '--to', 'ada@example.com'])
  if (outbox.length !== 1) fail(`sandbox outbox: ${JSON.stringify(outbox)}`)
  const charge = await json(['wallet', 'charge', org, '--amount', '500', '--sms-point', '50', '--yes'])
  if (charge.amount !== 500) fail(`wallet charge: ${JSON.stringify(charge)}`)
  await orgctl(['org', 'get', '9b2c0f9e-3c1d-4f7a-9b8e-2f1a6c3d5e7f'], 4)
  console.log(
    `ci-node-lines smoke: Node.js ${process.versions.node}: 7 sandbox commands ok; SQLite driver: ${driver}`,
  )
  return driver
}

/** Runs `jobs` with at most `limit` at a time. */
async function pool(jobs, limit) {
  let next = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) await jobs[next++]()
    }),
  )
}

async function load() {
  const driver = await smoke()
  const org = (await json(['org', 'create', '--name', 'Load', '--country-code', 'EG'])).id
  const commands = []
  // 5 commands a round; CI_NODE_LINES_ROUNDS is for trying the script out, CI keeps the default.
  const rounds = Number(process.env.CI_NODE_LINES_ROUNDS ?? 40)
  for (let i = 0; i < rounds; i++) {
    commands.push(
      ['org', 'get', org, '--json'],
      ['members', 'list', org, '--json'],
      ['invite', 'send', org, '--email', `p${i}@example.com`, '--name', `P ${i}`, '--role', '3', '--json'],
      ['wallet', 'charge', org, '--amount', '100', '--sms-point', '10', '--yes', '--json'],
      ['org', 'update', org, '--name', `Load ${i}`, '--json'],
    )
  }
  const started = performance.now()
  await pool(
    commands.map((args) => () => orgctl(args)),
    2,
  )
  const loopSeconds = (performance.now() - started) / 1000
  const wallet = await json(['wallet', 'show', org])
  if (wallet.balance?.amount !== 100 * rounds)
    fail(`wallet show after ${rounds} charges: ${JSON.stringify(wallet.balance)}`)
  console.log(
    `ci-node-lines load: ${commands.length} sandbox commands (2 at a time) in ${loopSeconds.toFixed(1)} s, no abort`,
  )

  // The server under load: `server start` as a user runs it, autocannon from this process.
  const token = 'ci-node-lines-admin-token-5d1e'
  const server = spawn(
    process.execPath,
    [
      BIN,
      'server',
      'start',
      '--port',
      '0',
      '--quiet',
      '--db',
      join(dir, 'server.db'),
      '--admin-token',
      token,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let serverErr = ''
  let listening = false
  server.stderr.setEncoding('utf8').on('data', (d) => (serverErr += d))
  const exited = new Promise((done) => server.on('exit', (code, signal) => done({ code, signal })))
  const url = await new Promise((done) => {
    let out = ''
    server.stdout.setEncoding('utf8').on('data', (d) => {
      out += d
      const m = /Listening on (\S+)/.exec(out)
      if (m && !listening) {
        listening = true
        done(m[1])
      }
    })
    void exited.then(({ code, signal }) => {
      if (!listening) fail(`server start exited ${code} ${signal} before listening\n${serverErr}`)
    })
  })
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const res = await fetch(`${url}/api/organizations`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'Load', countryCode: 'US' }),
  })
  const orgPath = res.headers.get('location')
  if (res.status !== 201 || !orgPath) fail(`create on the server: ${res.status}`)
  const { default: autocannon } = await import('autocannon')
  let n = 0
  const result = await autocannon({
    url,
    connections: 8,
    amount: 6000,
    timeout: 30,
    requests: [
      { method: 'GET', path: orgPath, headers },
      { method: 'GET', path: `${orgPath}/members?per_page=100`, headers },
      {
        method: 'POST',
        path: `/api/admin/organizations/${orgPath.split('/').pop()}/charge`,
        headers,
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, 'idempotency-key': `load-${++n}` },
          body: JSON.stringify({ amount: 1, service: 'sms', sms_point: 1 }),
        }),
      },
    ],
  })
  const bad = result.non2xx + result.errors + result.timeouts
  server.kill('SIGTERM')
  const end = await exited
  console.log(
    `ci-node-lines load: server under autocannon (8 connections, ${result.requests.total} requests): ` +
      `${Math.round(result.requests.average)} req/s, latency p50 ${result.latency.p50} ms p99 ${result.latency.p99} ms, ` +
      `${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts; ` +
      `server exit ${end.code} signal ${end.signal}; SQLite driver: ${driver}`,
  )
  if (bad > 0) fail(`${bad} failed requests under load`)
  if (end.signal || end.code !== 0) fail(`server exit ${end.code} signal ${end.signal}\n${serverErr}`)
  const after = await fetch(`${url}/api/organizations`).catch(() => 'closed')
  if (after !== 'closed') fail('the server still answers after SIGTERM')
}

if (mode === 'smoke') await smoke()
else if (mode === 'load') await load()
else fail('usage: node scripts/ci-node-lines.mjs smoke|load')
