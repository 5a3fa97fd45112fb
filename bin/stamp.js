// The build identity of dist/fast-paths.json (scripts/render-fast-paths.mjs writes it, bin/run.js
// compares it before printing help): contents, never file times, so that a copy installed from the
// package matches its build exactly as the clone it was packed from does. Help is printed only when
// package.json's version and oclif section, the manifest and the version of every package that renders
// help (@oclif/core and the listed plugins) are those help was rendered with.
import { readFileSync } from 'node:fs'

/**
 * Whether the manifest is, byte for byte, the one help was rendered from (the build keeps a copy,
 * dist/fast-paths-manifest.json): ~0.3 ms, where hashing it in JavaScript took ~3 ms of a ~35 ms --help.
 */
export function manifestMatches(root) {
  try {
    const copy = readFileSync(new URL('dist/fast-paths-manifest.json', root))
    return readFileSync(new URL('oclif.manifest.json', root)).equals(copy)
  } catch {
    return false // no manifest (oclif would scan the commands, and help could differ), or no copy
  }
}

/** The installed version of `name` as Node would resolve it from `root` (nearest node_modules up). */
function installedVersion(root, name) {
  for (let dir = root; ; dir = new URL('../', dir)) {
    try {
      return JSON.parse(readFileSync(new URL(`node_modules/${name}/package.json`, dir), 'utf8')).version
    } catch {
      if (dir.pathname === '/') return null
    }
  }
}

/** `root` is the package folder as a file: URL ending in '/'; `pjson` its parsed package.json. */
export function stampOf(root, pjson) {
  const packages = {}
  for (const name of ['@oclif/core', ...(pjson.oclif?.plugins ?? [])])
    packages[name] = installedVersion(root, name)
  return { version: pjson.version, oclif: JSON.stringify(pjson.oclif), packages }
}
