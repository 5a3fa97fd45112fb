// Bulk run under a server rate limit: `invite send --file` with 10·R + R rows against `orgctl server start
// --rate-limit R --rate-window 1` (its own process, request log on), measured from the server's log: the rate
// of accepted requests against R, and the share of requests refused with 429.
// Goal (issue 14): at least 90% of the allowed rate, at most 3% of requests refused.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import { cli, fmt, stopChild } from './lib.mjs'

const CONCURRENCY = 8
const LIMITS = [20, 40]

/** The server with its request log (`<time> <method> <path> <status> <ms>ms`) on stderr, parsed as it comes. */
function startLoggedServer(db, token, limit) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        cli,
        'server',
        'start',
        '--port',
        '0',
        '--db',
        db,
        '--rate-limit',
        String(limit),
        '--rate-window',
        '1',
      ],
      { env: { ...process.env, ORGCTL_ADMIN_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const log = []
    let err = ''
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      err += chunk
      const lines = err.split('\n')
      err = lines.pop() ?? ''
      for (const line of lines) {
        const m = /^(\S+Z) (GET|POST|PUT|PATCH|DELETE) (\S+) (\d{3}) /.exec(line)
        if (m) log.push({ at: Date.parse(m[1]), path: m[3], status: Number(m[4]) })
      }
    })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      const m = out.match(/Listening on (http:\/\/\S+)/)
      if (m) resolve({ url: m[1], log, stop: () => stopChild(child) })
    })
    child.on('exit', (code) => reject(new Error(`server exited ${code} before listening`)))
  })
}

async function measure(limit) {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-bench-paced-'))
  const token = `bench-admin-token-paced-${limit}`
  const server = await startLoggedServer(join(dir, 's.db'), token, limit)
  try {
    const res = await fetch(`${server.url}/api/organizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Paced', countryCode: 'US' }),
    })
    const org = res.headers.get('location').split('/').pop()
    // Past the limit's first second, so that the window is the server's and not the run's start.
    await new Promise((r) => setTimeout(r, 1100))
    const rows = 10 * limit + limit
    const file = join(dir, 'people.csv')
    writeFileSync(
      file,
      `email,name,roles\n${Array.from({ length: rows }, (_, i) => `paced${i}@example.com,P ${i},3`).join('\n')}\n`,
    )
    const env = {
      ...process.env,
      HOME: dir,
      XDG_DATA_HOME: join(dir, 'data'),
      XDG_CONFIG_HOME: join(dir, 'config'),
      ORGCTL_API_URL: server.url,
      ORGCTL_TOKEN: token,
    }
    // Asynchronously, so that the server's log is read while the run goes (a blocked pipe would stall it).
    const started = performance.now()
    const code = await new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [cli, 'invite', 'send', org, '--file', file, '--concurrency', String(CONCURRENCY), '--json'],
        { env, stdio: ['ignore', 'ignore', 'inherit'] },
      )
      child.on('exit', resolve)
    })
    const wallMs = performance.now() - started
    if (code !== 0) throw new Error(`invite send exited ${code}`)
    await new Promise((r) => setTimeout(r, 200))
    const log = server.log.filter((l) => l.path === `/api/organizations/${org}/invite`)
    const accepted = log.filter((l) => l.status < 400)
    const refused = log.filter((l) => l.status === 429).length
    const seconds = (accepted.at(-1).at - accepted[0].at) / 1000
    // n requests spread over n-1 gaps: the rate between the first and the last accepted request.
    const rate = (accepted.length - 1) / seconds
    return { limit, rows, wallMs, rate, refused, requests: log.length }
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function run() {
  const results = []
  for (const limit of LIMITS) results.push(await measure(limit))
  const markdown = [
    `\`invite send --file\` with --concurrency ${CONCURRENCY} against \`orgctl server start --rate-limit R --rate-window 1\` ` +
      '(@fastify/rate-limit: fixed window per token, sends `x-ratelimit-limit/-remaining/-reset` and `retry-after`). ' +
      'Measured from the server’s request log; the rate is between the first and last accepted invitation.',
    '',
    '| limit R (/s) | rows | accepted/s | % of R | refused (429) | wall time |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.limit} | ${fmt(r.rows)} | ${fmt(r.rate, 1)} | **${fmt((100 * r.rate) / r.limit)}%** | ` +
        `${r.refused} of ${fmt(r.requests)} (${fmt((100 * r.refused) / r.requests, 1)}%) | ${fmt(r.wallMs / 1000, 1)} s |`,
    ),
    '',
    'Goal: at least 90% of R with at most 3% refused. Before the pacer (issue 14): under R = 40, 145 of 545 requests ' +
      '(27%) were refused.',
  ].join('\n')
  return { title: 'Bulk runs under a rate limit: pacing', markdown }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { title, markdown } = await run()
  console.log(`## ${title}\n\n${markdown}`)
}
