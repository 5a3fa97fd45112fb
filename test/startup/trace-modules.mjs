// Preloaded with `node --import`: appends the URL or path of every module the process loads to the
// file named by ORGCTL_TRACE_MODULES. ES modules (and CommonJS entered through import) are seen by a
// load hook; CommonJS loaded by require() inside CommonJS is read from the require cache at exit.
import { appendFileSync } from 'node:fs'
// A namespace import: registerHooks is missing on Node 20, and a named import of it would not link.
import * as nodeModule from 'node:module'

const out = process.env.ORGCTL_TRACE_MODULES
if (out) {
  if (typeof nodeModule.registerHooks === 'function') {
    // In-thread hooks (Node 22.15 and later): module.register() is deprecated from Node 26 (DEP0205),
    // and its warning would differ from process to process.
    nodeModule.registerHooks({
      load(url, context, nextLoad) {
        appendFileSync(out, `${url}\n`)
        return nextLoad(url, context)
      },
    })
  } else {
    nodeModule.register('./trace-hooks.mjs', import.meta.url, { data: { out } })
  }
  const require = nodeModule.createRequire(import.meta.url)
  process.on('exit', () => {
    const files = Object.keys(require.cache)
    if (files.length) appendFileSync(out, `${files.join('\n')}\n`)
  })
}
