import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(import.meta.dirname, '../..')

/** The lines test/startup/trace-modules.mjs wrote, as file paths. */
export function tracedFiles(text: string): string[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((f) => (f.startsWith('file:') ? fileURLToPath(f) : f))
}

/**
 * The packages whose code a process loaded: from node_modules paths, and for orgctl's own bundled
 * files from the map the build writes beside them (dist/bundle-packages.json: file → packages).
 */
export function loadedPackages(files: string[]): Set<string> {
  const packages = new Set<string>()
  const mapFile = join(ROOT, 'dist/bundle-packages.json')
  const bundled: Record<string, string[]> = existsSync(mapFile)
    ? JSON.parse(readFileSync(mapFile, 'utf8'))
    : {}
  for (const file of files) {
    const at = file.lastIndexOf('/node_modules/')
    if (at >= 0) {
      const [scope, name] = file.slice(at + '/node_modules/'.length).split('/')
      packages.add(scope!.startsWith('@') ? `${scope}/${name}` : scope!)
      continue
    }
    const rel = file.startsWith(ROOT) ? file.slice(ROOT.length + 1) : file
    for (const p of bundled[rel] ?? []) packages.add(p)
  }
  return packages
}
