// Preloaded with `node --import`: appends the URL or path of every module the process loads to the
// file named by ORGCTL_TRACE_MODULES. ES modules (and CommonJS entered through import) are seen by a
// load hook; CommonJS loaded by require() inside CommonJS is read from the require cache at exit.
import { appendFileSync } from 'node:fs'
import { createRequire, register } from 'node:module'

const out = process.env.ORGCTL_TRACE_MODULES
if (out) {
  register('./trace-hooks.mjs', import.meta.url, { data: { out } })
  const require = createRequire(import.meta.url)
  process.on('exit', () => {
    const files = Object.keys(require.cache)
    if (files.length) appendFileSync(out, `${files.join('\n')}\n`)
  })
}
