import type { Transport } from '../api/transport.js'
import { parseOrg, type OrgRef, type RoleRef } from './args.js'
import type { NameSettings, RecentOrg } from './config.js'
import { UsageError } from './errors.js'
import type { Target } from './target.js'
import { terminalText } from './escape.js'

/*
 * Working by name (README "Working by name"): which organization a command means when ORG is an alias
 * or omitted, and which role IDs role names stand for. Everything orgctl resolves on the user's behalf
 * is said on stderr, with the organization's name and ID, before the command acts.
 */

/** How many organizations the picker remembers. */
const RECENT_MAX = 10

/**
 * Where a default organization and a role map belong: the profile's name, `sandbox` for the local
 * sandbox, or the API URL itself when it comes from `--api-url`/`ORGCTL_API_URL` without a profile.
 */
export function scopeOf(target: Target): string {
  if (target.kind === 'sandbox') return 'sandbox'
  if (target.profile) return target.profile
  return target.url.replace(/\/+$/, '').toLowerCase()
}

/** Says which scope a setting was saved for, in messages. */
export function describeScope(target: Target): string {
  if (target.kind === 'sandbox') return 'the local sandbox'
  if (target.profile) return `profile "${target.profile}"`
  return target.url
}

/** The roles the sandbox seeds (DESIGN.md decision 5). A remote API's names come from its profile's map. */
export const SANDBOX_ROLES: Readonly<Record<string, number>> = { owner: 1, admin: 2, member: 3, billing: 4 }

/** Role names the target knows, lower case → ID: the sandbox's own, plus any the scope's map sets. */
export function roleMap(target: Target, names: NameSettings): Record<string, number> {
  return { ...(target.kind === 'sandbox' ? SANDBOX_ROLES : {}), ...(names.roles[scopeOf(target)] ?? {}) }
}

/** `2 → "Admin"` for tables; names are shown capitalised as people write them. */
export function roleLabels(map: Readonly<Record<string, number>>): Map<number, string> {
  const labels = new Map<number, string>()
  for (const [name, id] of Object.entries(map))
    if (!labels.has(id)) labels.set(id, name.charAt(0).toUpperCase() + name.slice(1))
  return labels
}

/**
 * Role IDs for `--role` values: IDs pass as they are, names are looked up; an unknown name is a usage
 * error listing the known ones (nothing is sent).
 */
export function resolveRoles(
  refs: readonly RoleRef[],
  map: Readonly<Record<string, number>>,
  where: string,
): number[] {
  return [
    ...new Set(
      refs.map((ref) => {
        if (typeof ref === 'number') return ref
        const id = map[ref]
        if (id !== undefined) return id
        const known = Object.entries(map)
          .sort((a, b) => a[1] - b[1])
          .map(([n, i]) => `${n} (${i})`)
        throw new UsageError(
          `--role: no role named "${ref}" for ${where}; ` +
            (known.length
              ? `known: ${known.join(', ')}`
              : 'no role names are known there: give role IDs, or name them with `orgctl roles set NAME=ID`'),
        )
      }),
    ),
  ]
}

/** What {@link resolveOrg} needs from the command. */
export interface OrgContext {
  target: Target
  api: () => Promise<Transport>
  /** Writes a line on stderr. */
  note: (line: string) => void
  /** Destructive or costly commands always read the organization's current name before they act. */
  destructive: boolean
  /** Whether a picker may be shown (stdin and stderr are terminals). */
  interactive: boolean
  env: { ORGCTL_ORG?: string }
}

/**
 * The organization a command acts on: ORG as given (an ID, or an alias), else `ORGCTL_ORG`, else the
 * scope's default (`orgctl org use`), else on a terminal a picker of aliases and recent organizations;
 * without a terminal a missing ORG is a usage error at once. Unless the ID was typed in full, the
 * organization's name and ID are said on stderr.
 */
export async function resolveOrg(given: OrgRef | undefined, ctx: OrgContext): Promise<string> {
  if (given && !given.alias) return given.id
  const { readNames } = await import('./config.js')
  const names = await readNames()
  let ref = given
  let source = given?.alias ? `alias "${given.alias}"` : ''
  if (!ref && ctx.env.ORGCTL_ORG) {
    ref = await parseOrg(ctx.env.ORGCTL_ORG, 'ORGCTL_ORG')
    source = 'ORGCTL_ORG'
  }
  if (!ref) {
    const id = names.defaultOrgs[scopeOf(ctx.target)]
    if (id) {
      ref = { id }
      source = `the default for ${describeScope(ctx.target)} (orgctl org use)`
    }
  }
  if (!ref) {
    if (!ctx.interactive)
      throw new UsageError(
        'Missing required argument ORG: give an organization ID or alias, set ORGCTL_ORG, ' +
          'or set a default with `orgctl org use ORG` (no terminal to ask on)',
      )
    const { pickOrganization } = await import('./interactive.js')
    ref = { id: await pickOrganization(names) }
    source = 'your choice'
  }
  const cached = names.recentOrgs.find((r) => r.id === ref.id)?.name
  const name = ctx.destructive || cached === undefined ? await fetchName(ctx, ref.id) : cached
  ctx.note(`Using organization ${name === undefined ? '' : `"${visible(name)}" `}(${ref.id}) from ${source}.`)
  await remember(names, { id: ref.id, ...(name === undefined ? {} : { name }) })
  return ref.id
}

async function fetchName(ctx: OrgContext, id: string): Promise<string | undefined> {
  const { getOrganization } = await import('../api/organizations.js')
  // A 404 here is the command's own answer (exit 4): the organization is gone, or not visible to this token.
  const org = await getOrganization(await ctx.api(), id)
  return typeof org.name === 'string' ? org.name : undefined
}

/** Puts an organization first in the recent list (saved only when the list changes; best effort). */
export async function remember(names: NameSettings, org: RecentOrg): Promise<void> {
  const first = names.recentOrgs[0]
  if (first && first.id === org.id && (org.name === undefined || first.name === org.name)) return
  const previous = names.recentOrgs.find((r) => r.id === org.id)
  const entry = { id: org.id, ...((org.name ?? previous?.name) ? { name: org.name ?? previous?.name } : {}) }
  names.recentOrgs = [entry, ...names.recentOrgs.filter((r) => r.id !== org.id)].slice(0, RECENT_MAX)
  const { writeNames } = await import('./config.js')
  try {
    await writeNames(names)
  } catch {
    // The recent list is a convenience: a read-only config folder must not fail the command.
  }
}

/**
 * Server-controlled text made safe for a terminal line: control characters, DEL, C1 and bidi controls
 * are shown as `\x1b`, `\u202e` (src/core/escape.ts) instead of being emitted.
 */
export function visible(text: string): string {
  // The one escaping rule of src/core/escape.ts, so a name reads the same in every prompt and note.
  return terminalText(text)
}
