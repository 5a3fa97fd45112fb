#!/usr/bin/env node
// Two answers come without loading oclif (about half of a bare start-up): `--version`, which prints
// oclif's user agent, and help on a non-terminal, printed from dist/fast-paths.json, which the build
// rendered with oclif itself (scripts/render-fast-paths.mjs); dist/fast-paths-index.json says which
// command lines have one, so that the others cost one small file read. Everything else, and any doubt (a
// terminal, an environment that changes oclif's output, a package.json, manifest or help-rendering
// package that differs from the build's (bin/stamp.js), a hook that oclif would run first), goes to oclif.
// ORGCTL_FAST_PATHS=0 turns them off (tests compare both ways).
import { readFileSync } from 'node:fs'
import { arch, platform, release } from 'node:os'
import { fileURLToPath } from 'node:url'

const root = new URL('../', import.meta.url)

let packageJson
/** package.json, read once (the fast paths and oclif's load options both need it), or undefined. */
function readPackageJson() {
  if (packageJson === undefined) {
    try {
      packageJson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
    } catch {
      packageJson = null
    }
  }
  return packageJson ?? undefined
}

/** dist/fast-paths-index.json (scripts/render-fast-paths.mjs), or undefined when there is none. */
function readIndex(env) {
  if (env.ORGCTL_FAST_PATHS === '0') return undefined
  try {
    return JSON.parse(readFileSync(new URL('dist/fast-paths-index.json', root), 'utf8'))
  } catch {
    return undefined
  }
}

async function fastAnswer(argv, env, index) {
  if (index === undefined) return undefined
  // Debug logging, forced colour, column overrides and pm2 (which ansis treats as a terminal).
  for (const name of Object.keys(env)) {
    if (/^(OCLIF_|FORCE_COLOR$|DEBUG$|ORGCTL_DEBUG$|PM2_HOME$|pm_id$|NEXT_RUNTIME$)/.test(name))
      return undefined
  }
  if (argv.some((a) => /^--?(no-)?colou?r/.test(a))) return undefined
  // First the small index of what has a fast answer, so that every other command pays one small read.
  // oclif treats each of `additionalHelpFlags` (`-h`) exactly as `--help`.
  const helpFlags = new Set(index.helpFlags)
  const key = JSON.stringify(argv.map((a) => (helpFlags.has(a) ? '--help' : a)))
  const version = index.versionFlags.includes(argv[0])
  if (!version && !index.keys.includes(key)) return undefined
  // What --version and help both depend on: package.json's version and oclif section, and no hook.
  const pjson = readPackageJson()
  if (pjson === undefined) return undefined
  if (
    index.hooks.length > 0 ||
    index.version !== pjson.version ||
    index.oclif !== JSON.stringify(pjson.oclif)
  )
    return undefined

  // oclif's user agent: what --version prints, and what root help shows under VERSION.
  const os = platform()
  // oclif's Config: 'wsl' under WSL (it asks wsl-utils), x86 for ia32.
  if (os === 'linux' && (/microsoft/i.test(release()) || procVersionMentionsMicrosoft())) return undefined
  const cpu = arch() === 'ia32' ? 'x86' : arch()
  const userAgent = `${pjson.name}/${pjson.version} ${os}-${cpu} node-${process.version}`
  if (version) return `${userAgent}\n`
  if (process.stdout.isTTY) return undefined
  // Help also depends on the manifest and the packages that render it (the whole build identity).
  let data
  try {
    data = JSON.parse(readFileSync(new URL('dist/fast-paths.json', root), 'utf8'))
  } catch {
    return undefined
  }
  const { manifestMatches, stampOf } = await import('./stamp.js')
  if (!manifestMatches(root) || JSON.stringify(stampOf(root, pjson)) !== JSON.stringify(data.stamp))
    return undefined
  const text = data.help[key]
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

/**
 * How oclif loads its configuration: from package.json as read here (oclif would find and read it
 * again) and without user plugins (orgctl installs none). Undefined (ORGCTL_FAST_PATHS=0, or no
 * package.json): oclif as it comes.
 */
function loadOptions(env) {
  const pjson = env.ORGCTL_FAST_PATHS === '0' ? undefined : readPackageJson()
  return pjson && { root: fileURLToPath(root), pjson, userPlugins: false }
}

const argv = process.argv.slice(2)
const index = readIndex(process.env)
const fast = await fastAnswer(argv, process.env, index)
if (fast === undefined) {
  const { execute } = await import('../dist/index.js')
  const options = loadOptions(process.env)
  await execute(options ? { loadOptions: options } : { dir: import.meta.url })
} else {
  process.stdout.write(fast)
}
