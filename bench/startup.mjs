// Start-up: whole-process wall time of short orgctl commands against `node -e 0` (the floor), interleaved
// so that drift on a shared machine hits every case alike. Goals (issues 6 and 17): --version and --help
// within 1.5x the floor, `org get ID` against a server in another process within 2.5x (issue 17; 2x in
// issue 6), on the sandbox within 3x.
// Where a goal is not met, the case is profiled (`node --cpu-prof`) and the top self time is reported.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import { cli, fmt, loadedModules, machine, profileRun, startServerProcess, timeInterleaved } from './lib.mjs'

const RUNS = 21
const TOKEN = 'bench-admin-token-startup'

async function createOrg(url) {
  const res = await fetch(`${url}/api/organizations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Start-up', countryCode: 'US' }),
  })
  if (res.status !== 201) throw new Error(`create org: ${res.status}`)
  return res.headers.get('location').split('/').pop()
}

const caseOf = (name, args, env, goal) => ({ name, cmd: process.execPath, args, options: { env }, goal })

/** Table rows for one interleaved group (its first case is the floor), and the cases over their goal. */
function tabulate(cases, results) {
  const floor = results[0].median
  const rows = []
  const misses = []
  results.forEach((r, i) => {
    const goal = cases[i].goal
    const ratio = r.median / floor
    const met = goal === undefined ? '' : ratio <= goal ? 'met' : '**not met**'
    rows.push(
      `| ${r.name} | ${fmt(r.median, 1)} | ${fmt(ratio, 2)}x | ${goal ? `≤ ${goal}x` : ''} | ${met} |`,
    )
    if (goal !== undefined && ratio > goal) misses.push({ c: cases[i], ratio })
  })
  return { rows, misses }
}

function explain({ c, ratio }) {
  const p = profileRun(c.args, c.options.env)
  const loaded = loadedModules(c.args.slice(1), c.options.env)
  return (
    `- ${c.name} at ${fmt(ratio, 2)}x: ${fmt(p.totalMs)} ms of samples; self time: ` +
    p.rows.map((r) => `${r.name} ${fmt(r.ms, 1)} ms`).join(', ') +
    `. It loads ${loaded.files} files (${fmt(loaded.kib)} KiB of code); the largest: ` +
    loaded.rows
      .map((r) => `${r.name} ${r.files} file${r.files === 1 ? '' : 's'}, ${fmt(r.kib)} KiB`)
      .join('; ') +
    '.'
  )
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-bench-start-'))
  const home = {
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    PATH: process.env.PATH,
    NO_COLOR: '1',
  }
  const floor = caseOf('`node -e 0` (floor)', ['-e', '0'], home)
  // One database serves the remote case (a server process on it) and, afterwards, the sandbox case.
  const db = join(dir, 'seeded.db')
  const rows = []
  const notes = []
  try {
    const server = await startServerProcess({ db, token: TOKEN })
    let org
    try {
      org = await createOrg(server.url)
      const remote = { ...home, ORGCTL_API_URL: server.url, ORGCTL_TOKEN: TOKEN }
      const cases = [
        floor,
        caseOf('`orgctl --version`', [cli, '--version'], home, 1.5),
        caseOf('`orgctl --help`', [cli, '--help'], home, 1.5),
        caseOf('`orgctl org get --help`', [cli, 'org', 'get', '--help'], home),
        caseOf(
          '`orgctl org get ID --json` (server in another process)',
          [cli, 'org', 'get', org, '--json'],
          remote,
          2.5,
        ),
      ]
      const t = tabulate(cases, timeInterleaved(cases, { runs: RUNS }))
      rows.push(...t.rows)
      notes.push(...t.misses.map(explain))
    } finally {
      await server.stop()
    }
    // The sandbox: no profile, no URL; the command starts the seeded database's server in-process.
    const sandbox = { ...home, ORGCTL_SANDBOX_DB: db }
    const cases = [
      floor,
      caseOf(
        '`orgctl org get ID --json` (sandbox default, seeded database)',
        [cli, 'org', 'get', org, '--json'],
        sandbox,
        3,
      ),
    ]
    const t = tabulate(cases, timeInterleaved(cases, { runs: RUNS }))
    rows.push(...t.rows)
    notes.push(...t.misses.map(explain))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }

  const markdown = [
    `Machine: ${machine()}. Median wall time of ${RUNS} interleaved runs per case (after 2 warm-up rounds), each a fresh process spawned by the bench with output piped (not a terminal). The sandbox case is interleaved with its own floor, after the server process has stopped.`,
    '',
    '| command | median (ms) | / floor | goal | |',
    '| --- | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    notes.length
      ? `Where the time goes where a goal is not met (\`node --cpu-prof\`, self time grouped by package):\n\n${notes.join('\n')}`
      : 'Every goal is met.',
  ].join('\n')
  return { title: 'Start-up', markdown }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { title, markdown } = await run()
  console.log(`## ${title}\n\n${markdown}`)
}
