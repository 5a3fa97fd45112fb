// Bulk invitations: `invite send --file` with 10,000 rows against a sandbox server in another process,
// next to that server's own capacity for the same request (autocannon, same connections), in the same run.
// Goal (issue 17): the CLI reaches at least 90% of the server's capacity (70% in issue 4).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import autocannon from 'autocannon'

import { cli, fmt, machine, startServerProcess, timeOnce } from './lib.mjs'

const ROWS = 10_000
const CONCURRENCY = 8
const AUTOCANNON_SECONDS = 8
const GOAL = 0.9

async function createOrg(url, token, name) {
  const res = await fetch(`${url}/api/organizations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, countryCode: 'US' }),
  })
  if (res.status !== 201) throw new Error(`create org: ${res.status}`)
  return res.headers.get('location').split('/').pop()
}

/** The server alone: the same POST (a distinct address and key each time) over the same number of connections. */
async function serverCapacity(url, token, org) {
  let n = 0
  const result = await autocannon({
    url,
    connections: CONCURRENCY,
    duration: AUTOCANNON_SECONDS,
    requests: [
      {
        method: 'POST',
        path: `/api/organizations/${org}/invite`,
        setupRequest: (req) => {
          n++
          return {
            ...req,
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'idempotency-key': `ac-${process.pid}-${n}`,
            },
            body: JSON.stringify({ email: `ac${n}@example.com`, name: `Load ${n}`, roles: [3] }),
          }
        },
      },
    ],
  })
  const ok = result['2xx']
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`autocannon saw ${result.non2xx} non-2xx and ${result.errors} errors`)
  return {
    rps: ok / (result.duration || AUTOCANNON_SECONDS),
    p50: result.latency.p50,
    p99: result.latency.p99,
  }
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-bench-bulk-'))
  const token = 'bench-admin-token-bulk'
  const server = await startServerProcess({ db: join(dir, 's.db'), token })
  try {
    const capacity = await serverCapacity(server.url, token, await createOrg(server.url, token, 'Autocannon'))

    const org = await createOrg(server.url, token, 'CLI')
    const file = join(dir, 'people.csv')
    const rows = Array.from({ length: ROWS }, (_, i) => `cli${i}@example.com,Person ${i},3`)
    writeFileSync(file, `email,name,roles\n${rows.join('\n')}\n`)
    const env = {
      ...process.env,
      HOME: dir,
      XDG_DATA_HOME: join(dir, 'data'),
      XDG_CONFIG_HOME: join(dir, 'config'),
      ORGCTL_API_URL: server.url,
      ORGCTL_TOKEN: token,
    }
    // timeOnce throws on a non-zero exit, so every row was sent.
    const wallMs = timeOnce(
      process.execPath,
      [cli, 'invite', 'send', org, '--file', file, '--concurrency', String(CONCURRENCY), '--json'],
      {
        env,
        maxBuffer: 1 << 20,
      },
    )
    const cliRate = ROWS / (wallMs / 1000)
    const ratio = cliRate / capacity.rps
    const markdown = [
      `Machine: ${machine()}. Server: \`orgctl server start\` (own process, SQLite file, rate limit off), ${CONCURRENCY} connections.`,
      '',
      '| measure | invitations/s | notes |',
      '| --- | ---: | --- |',
      `| server capacity (autocannon, ${AUTOCANNON_SECONDS} s, ${CONCURRENCY} connections) | ${fmt(capacity.rps)} | p50 ${capacity.p50} ms, p99 ${capacity.p99} ms; a distinct address and Idempotency-Key per request |`,
      `| \`invite send --file\` ${fmt(ROWS)} rows, --concurrency ${CONCURRENCY} | ${fmt(cliRate)} | wall time ${fmt(wallMs / 1000, 1)} s, including start-up, validation pass and journal |`,
      '',
      'Both clients share the machine with the server, so the server is measured under a comparable load of its own client.',
      '',
      `CLI / server = **${fmt(ratio * 100)}%** (goal: at least ${GOAL * 100}%: ${ratio >= GOAL ? 'met' : 'not met'}).`,
    ].join('\n')
    return { title: 'Bulk invitations: throughput', markdown }
  } finally {
    await server.stop()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { title, markdown } = await run()
  console.log(`## ${title}\n\n${markdown}`)
}
