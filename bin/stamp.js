// The build identity of dist/fast-paths.json (scripts/render-fast-paths.mjs writes it, bin/run.js
// compares it at start-up): contents, never file times, so that a copy installed from the package
// matches its build exactly as the clone it was packed from does. Fast paths are taken only when
// package.json's version and oclif section, the manifest (hashed) and the version of every package
// that renders help (@oclif/core and the listed plugins) are those help was rendered with.
import { readFileSync } from 'node:fs'

/** FNV-1a (32 bits) of a string: enough to notice a changed manifest, and no node:crypto to load. */
function fnv1a(text) {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return `${text.length}:${h.toString(16)}`
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
  let manifest = null
  try {
    manifest = fnv1a(readFileSync(new URL('oclif.manifest.json', root), 'utf8'))
  } catch {
    // no manifest: oclif would scan the commands, and help could differ
  }
  const packages = {}
  for (const name of ['@oclif/core', ...(pjson.oclif?.plugins ?? [])])
    packages[name] = installedVersion(root, name)
  return { version: pjson.version, oclif: JSON.stringify(pjson.oclif), manifest, packages }
}
