// Compiles src/ to dist/, copies the server's SQL migrations beside their loader, and regenerates
// oclif.manifest.json so that start-up never scans the commands folder.
import { execFileSync } from 'node:child_process'
import { cpSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const run = (file, args) => execFileSync(process.execPath, [file, ...args], { stdio: 'inherit' })

rmSync('dist', { recursive: true, force: true })
run(require.resolve('typescript/bin/tsc'), ['-p', 'tsconfig.build.json'])
cpSync('src/server/migrations', 'dist/server/migrations', { recursive: true })
run(require.resolve('oclif/bin/run.js'), ['manifest'])
