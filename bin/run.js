#!/usr/bin/env node
// Two answers come without loading oclif (about half of a bare start-up): `--version`, which prints
// oclif's user agent, and help on a non-terminal, printed from dist/fast-paths.json, which the build
// rendered with oclif itself (scripts/render-fast-paths.mjs). Everything else, and any doubt (a
// terminal, an environment that changes oclif's output, a package.json, manifest or help-rendering
// package that differs from the build's (bin/stamp.js), a hook that oclif would run first), goes to oclif.
// ORGCTL_FAST_PATHS=0 turns them off (tests compare both ways).
import { readFileSync } from 'node:fs'
import { arch, platform, release } from 'node:os'

import { stampOf } from './stamp.js'

function fastAnswer(argv, env) {
  if (env.ORGCTL_FAST_PATHS === '0') return undefined
  // Debug logging, forced colour, column overrides and pm2 (which ansis treats as a terminal).
  for (const name of Object.keys(env)) {
    if (/^(OCLIF_|FORCE_COLOR$|DEBUG$|ORGCTL_DEBUG$|PM2_HOME$|pm_id$|NEXT_RUNTIME$)/.test(name))
      return undefined
  }
  if (argv.some((a) => /^--?(no-)?colou?r/.test(a))) return undefined
  const root = new URL('../', import.meta.url)
  let data
  let pjson
  try {
    data = JSON.parse(readFileSync(new URL('dist/fast-paths.json', root), 'utf8'))
    pjson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
  } catch {
    return undefined
  }
  const { stamp } = data
  if (data.hooks.length > 0 || JSON.stringify(stampOf(root, pjson)) !== JSON.stringify(stamp))
    return undefined

  // oclif's user agent: what --version prints, and what root help shows under VERSION.
  const os = platform()
  // oclif's Config: 'wsl' under WSL (it asks wsl-utils), x86 for ia32.
  if (os === 'linux' && (/microsoft/i.test(release()) || procVersionMentionsMicrosoft())) return undefined
  const cpu = arch() === 'ia32' ? 'x86' : arch()
  const userAgent = `${pjson.name}/${pjson.version} ${os}-${cpu} node-${process.version}`
  const versionFlags = new Set(['--version', ...(pjson.oclif.additionalVersionFlags ?? [])])
  if (versionFlags.has(argv[0])) return `${userAgent}\n`
  if (process.stdout.isTTY) return undefined
  // oclif treats each of `additionalHelpFlags` (`-h`) exactly as `--help`.
  const helpFlags = new Set(pjson.oclif.additionalHelpFlags ?? [])
  const text = data.help[JSON.stringify(argv.map((a) => (helpFlags.has(a) ? '--help' : a)))]
  // Rendered by the build's Node: this Node's user agent goes in its place (an installed copy runs on any).
  return text === undefined || !data.userAgent ? text : text.split(data.userAgent).join(userAgent)
}

function procVersionMentionsMicrosoft() {
  try {
    return /microsoft/i.test(readFileSync('/proc/version', 'utf8'))
  } catch {
    return false
  }
}

const fast = fastAnswer(process.argv.slice(2), process.env)
if (fast === undefined) {
  const { execute } = await import('../dist/index.js')
  await execute({ dir: import.meta.url })
} else {
  process.stdout.write(fast)
}
