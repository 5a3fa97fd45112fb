// What src/api/transport.ts takes from undici (Agent, request, FormData), loaded from undici's own
// modules without the rest of its index (fetch, WebSocket, caches, mocks, proxies): about two thirds
// less to load for a one-shot command. The build puts this file at dist/undici-lite.cjs and points the
// bundle's `import('undici')` at it; it checks at build time that these are undici's own exports.
/* global require, exports */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: Node reads its named exports statically */
'use strict'

const Agent = require('undici/lib/dispatcher/agent.js')
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js')
const api = require('undici/lib/api/index.js')
const util = require('undici/lib/core/util.js')
const { InvalidArgumentError } = require('undici/lib/core/errors.js')
const { FormData } = require('undici/lib/web/fetch/formdata.js')

// As undici's index does.
Object.assign(Dispatcher.prototype, api)

/** undici's `request(url, opts)`, for the calls the transport makes: a URL and an explicit dispatcher. */
function request(url, opts) {
  if (!opts || typeof opts !== 'object' || !opts.dispatcher || opts.path != null || opts.agent)
    throw new InvalidArgumentError('orgctl: request(url, { dispatcher }) only')
  const parsed = util.parseURL(url)
  return api.request.call(opts.dispatcher, {
    ...opts,
    origin: parsed.origin,
    path: parsed.search ? `${parsed.pathname}${parsed.search}` : parsed.pathname,
    method: opts.method || (opts.body ? 'PUT' : 'GET'),
  })
}

exports.Agent = Agent
exports.FormData = FormData
exports.request = request
