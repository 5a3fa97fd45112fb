// Server: requests per second of the sandbox server (`orgctl server start`, its own process, a SQLite
// file) for GET /api/organizations/{id} and POST .../invite, next to a bare fastify route answering a
// constant behind a bearer check from the same process setup (bench/fixtures/bare-server.mjs): the ceiling
// for this stack. Goal (issues 6 and 17): GET organization at least 60% of the ceiling.
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import autocannon from 'autocannon'

import { fmt, machine, root, startServerProcess, stopChild, summarizeCpuProfile } from './lib.mjs'

const TOKEN = 'bench-admin-token-server'
const CONNECTIONS = 10
const SECONDS = 8
const GOAL = 0.6

function startBare() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bench/fixtures/bare-server.mjs')], {
      env: { ...process.env, ORGCTL_BENCH_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      const m = out.match(/Listening on (http:\/\/\S+)/)
      if (m) resolve({ url: m[1], stop: () => stopChild(child) })
    })
    child.on('exit', (code) => reject(new Error(`bare server exited ${code} before listening`)))
  })
}

async function createOrg(url) {
  const res = await fetch(`${url}/api/organizations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Load', countryCode: 'US' }),
  })
  if (res.status !== 201) throw new Error(`create org: ${res.status}`)
  return res.headers.get('location').split('/').pop()
}

/** autocannon for SECONDS over CONNECTIONS; every answer must be 2xx. */
async function load(url, request) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [request],
  })
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0)
    throw new Error(`autocannon on ${request.path} saw ${result.non2xx} non-2xx, ${result.errors} errors`)
  return {
    rps: result['2xx'] / (result.duration || SECONDS),
    p50: result.latency.p50,
    p99: result.latency.p99,
  }
}

const get = (path) => ({ method: 'GET', path, headers: { authorization: `Bearer ${TOKEN}` } })

/** A distinct address and Idempotency-Key per request, as the bulk runner sends them. */
function invite(path) {
  let n = 0
  return {
    method: 'POST',
    path,
    setupRequest: (req) => {
      n++
      return {
        ...req,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'content-type': 'application/json',
          'idempotency-key': `srv-${process.pid}-${n}`,
        },
        body: JSON.stringify({ email: `load${n}@example.com`, name: `Load ${n}`, roles: [3] }),
      }
    },
  }
}

/** Where a sandbox server's CPU time goes under the GET load (`--cpu-prof` of a second server process). */
async function profileGet(dir, token) {
  const profDir = join(dir, 'prof')
  const server = await startServerProcess({
    db: join(dir, 'prof.db'),
    token,
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir],
  })
  try {
    const org = await createOrg(server.url)
    await autocannon({
      url: server.url,
      connections: CONNECTIONS,
      duration: 4,
      requests: [get(`/api/organizations/${org}`)],
    })
  } finally {
    await server.stop()
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))
  return summarizeCpuProfile(join(profDir, file), 8)
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-bench-server-'))
  const bare = await startBare()
  let sandbox
  try {
    sandbox = await startServerProcess({ db: join(dir, 's.db'), token: TOKEN })
    const org = await createOrg(sandbox.url)
    const orgPath = `/api/organizations/${org}`
    // Alternate ceiling and sandbox so that drift on a shared machine touches both.
    const ceilingGet = await load(bare.url, get(orgPath))
    const sandboxGet = await load(sandbox.url, get(orgPath))
    const ceilingPost = await load(bare.url, invite(`${orgPath}/invite`))
    const sandboxPost = await load(sandbox.url, invite(`${orgPath}/invite`))
    const getRatio = sandboxGet.rps / ceilingGet.rps
    const why = getRatio < GOAL ? await profileGet(dir, TOKEN) : undefined
    const postRatio = sandboxPost.rps / ceilingPost.rps
    const row = (name, r, ratio, goal, met) =>
      `| ${name} | ${fmt(r.rps)} | ${r.p50} | ${r.p99} | ${ratio === undefined ? '' : `${fmt(ratio * 100)}%`} | ${goal} | ${met} |`
    const markdown = [
      `Machine: ${machine()}. autocannon in the bench process, ${CONNECTIONS} connections, ${SECONDS} s per line, against a server in its own process on 127.0.0.1 (both share the machine's cores). The sandbox runs \`orgctl server start\` on a SQLite file, rate limit off, platform-admin bearer token; the ceiling is fastify alone with the sandbox's options answering a constant behind a bearer check (a string comparison in an onRequest hook; bench/fixtures/bare-server.mjs).`,
      '',
      '| route | requests/s | p50 (ms) | p99 (ms) | / ceiling | goal | |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
      row('ceiling: `GET /api/organizations/{id}` (constant, bearer checked)', ceilingGet, undefined, '', ''),
      row(
        'sandbox: `GET /api/organizations/{id}`',
        sandboxGet,
        getRatio,
        `≥ ${GOAL * 100}%`,
        getRatio >= GOAL ? 'met' : '**not met**',
      ),
      row(
        'ceiling: `POST .../invite` (constant, bearer checked, body parsed)',
        ceilingPost,
        undefined,
        '',
        '',
      ),
      row(
        'sandbox: `POST .../invite` (new invitation each, Idempotency-Key)',
        sandboxPost,
        postRatio,
        '',
        '',
      ),
      '',
      ...(why
        ? [
            `Where the sandbox's time goes under the GET load (\`--cpu-prof\` of the server process, 4 s, self time by package): ` +
              why.rows.map((r) => `${r.name} ${fmt(r.ms)} ms`).join(', ') +
              ` (of ${fmt(why.totalMs)} ms sampled). Busiest functions: ` +
              why.functions.map((r) => `${r.name} ${fmt(r.ms)} ms`).join(', ') +
              '.',
            '',
          ]
        : []),
      'An invitation does far more than a constant answer: body validation against the OpenAPI schema, an idempotency record, a token hashed and stored and a message written to the outbox, in SQLite transactions (WAL, synchronous=NORMAL). Its ratio is shown for scale; the issue sets no goal for it.',
    ].join('\n')
    return { title: 'Server throughput', markdown }
  } finally {
    await sandbox?.stop()
    await bare.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { title, markdown } = await run()
  console.log(`## ${title}\n\n${markdown}`)
}
