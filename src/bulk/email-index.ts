/**
 * Remembers which e-mail addresses a file has already used, and on which line, in 17 to 20 bytes per
 * address (1,000,000 rows: 12 MB of entries and a 6 MB table), instead of the ~100 bytes per address that a
 * `Map<string, number>` of the addresses costs in V8.
 *
 * Layout: the entries (a 64-bit fingerprint of the address and its first line, 12 bytes) are appended in
 * fixed-size pages of `Uint32Array`s, so they are never copied; an open-addressing table (linear probing,
 * at most 75% full, enlarged when fuller) holds only `entry index + 1` per slot (4 bytes; 0 is empty). The
 * table is paged too: it grows by adding pages and placing every entry again from the entry pages, so no
 * old copy of anything is left behind. Nothing is allocated per address.
 *
 * It stores a fingerprint of each address, not the address. Two different addresses share a fingerprint
 * with probability about n²/2⁶⁵ (3·10⁻⁸ for a million rows); the effect would be that the later one is
 * reported as a duplicate and not sent, never that anyone is invited twice.
 */
export class EmailIndex {
  private readonly pages: Uint32Array[] = []
  // The table, in pages of TABLE_PAGE slots (one shorter page while it is smaller than that).
  private readonly table: Uint32Array[]
  private capacity: number
  private used = 0
  // The fingerprint of the last address hashed (two 32-bit halves), kept here to avoid an array per call.
  private h1 = 0
  private h2 = 0

  constructor(initialCapacity = 1024) {
    let capacity = 16
    while (capacity * 0.75 < initialCapacity)
      capacity = capacity < TABLE_PAGE ? capacity * 2 : capacity + TABLE_PAGE
    this.table = []
    for (let slots = 0; slots < capacity; slots += TABLE_PAGE)
      this.table.push(new Uint32Array(Math.min(capacity, TABLE_PAGE)))
    this.capacity = capacity
  }

  /** Number of addresses recorded. */
  get size(): number {
    return this.used
  }

  /** Bytes held by the typed arrays (entries and table). */
  get bytes(): number {
    return this.pages.length * PAGE_ENTRIES * 12 + this.capacity * 4
  }

  /**
   * Records `address` as first seen on `line` (an integer from 1 to 2³²-1), or, when an address equal to it
   * ignoring case (as `toLowerCase()` compares) was recorded before, returns that earlier line and records
   * nothing.
   */
  firstLineOf(address: string, line: number): number | undefined {
    this.fingerprint(address)
    const { h1, h2, table, capacity } = this
    let slot = home(h1, capacity)
    for (;;) {
      const entry = (table[slot >>> TABLE_SHIFT] as Uint32Array)[slot & TABLE_MASK] as number
      if (entry === 0) break
      const index = entry - 1
      const page = this.pages[index >>> PAGE_SHIFT] as Uint32Array
      const at = (index & PAGE_MASK) * 3
      if (page[at] === h1 && page[at + 1] === h2) return page[at + 2]
      if (++slot === capacity) slot = 0
    }
    const index = this.used
    const offset = index & PAGE_MASK
    if (offset === 0) this.pages.push(new Uint32Array(PAGE_ENTRIES * 3))
    const page = this.pages[index >>> PAGE_SHIFT] as Uint32Array
    page[offset * 3] = h1
    page[offset * 3 + 1] = h2
    page[offset * 3 + 2] = line
    ;(table[slot >>> TABLE_SHIFT] as Uint32Array)[slot & TABLE_MASK] = index + 1
    this.used++
    if (this.used * 4 > capacity * 3) this.grow()
    return undefined
  }

  /**
   * Enlarges the table and places every entry again, from the pages. Up to one page it doubles; past that it
   * grows by half, in whole pages, by adding pages rather than replacing the table, so no dead table is left
   * for the garbage collector (V8 frees an old typed array only when a full collection finds it, which in a
   * long run is rare, and the tables replaced on the way to a million rows would add up to another table),
   * and the table stays 50% to 75% full instead of the 37% to 75% of doubling.
   */
  private grow(): void {
    const { table } = this
    let capacity: number
    if (this.capacity < TABLE_PAGE) {
      capacity = this.capacity * 2
      table[0] = new Uint32Array(capacity)
    } else {
      capacity = Math.ceil((this.capacity * 1.5) / TABLE_PAGE) * TABLE_PAGE
      for (const page of table) page.fill(0)
      while (table.length * TABLE_PAGE < capacity) table.push(new Uint32Array(TABLE_PAGE))
    }
    for (let index = 0; index < this.used; index++) {
      const page = this.pages[index >>> PAGE_SHIFT] as Uint32Array
      let slot = home(page[(index & PAGE_MASK) * 3] as number, capacity)
      while ((table[slot >>> TABLE_SHIFT] as Uint32Array)[slot & TABLE_MASK] !== 0) {
        if (++slot === capacity) slot = 0
      }
      ;(table[slot >>> TABLE_SHIFT] as Uint32Array)[slot & TABLE_MASK] = index + 1
    }
    this.capacity = capacity
  }

  /**
   * Two 32-bit lanes of cyrb53-style mixing over the lower-cased address, into `h1` and `h2`: fast in JS and
   * well spread, which is all a dedupe table needs. ASCII letters are folded here; an address with any other
   * character (never a valid one) is lower-cased with `toLowerCase()` first, so the result is always the
   * fingerprint of `address.toLowerCase()`.
   */
  private fingerprint(address: string): void {
    let h1 = 0xdeadbeef
    let h2 = 0x41c6ce57
    let key = address
    let fold = true
    for (let i = 0; i < key.length; i++) {
      let c = key.charCodeAt(i)
      if (fold) {
        if (c >= 0x80) {
          key = address.toLowerCase()
          fold = false
          h1 = 0xdeadbeef
          h2 = 0x41c6ce57
          i = -1
          continue
        }
        if (c >= 0x41 && c <= 0x5a) c += 0x20
      }
      h1 = Math.imul(h1 ^ c, 2654435761)
      h2 = Math.imul(h2 ^ c, 1597334677)
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507)
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909)
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507)
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909)
    this.h1 = h1 >>> 0
    this.h2 = h2 >>> 0
  }
}

/** The first slot to try for a hash, spread over any capacity (not only powers of two): ⌊h1·capacity/2³²⌋. */
function home(h1: number, capacity: number): number {
  return Math.floor((h1 * capacity) / 4294967296)
}

// 16,384 entries (192 KiB) per page: small enough that the last page wastes little, large enough to be few.
const PAGE_SHIFT = 14
const PAGE_ENTRIES = 1 << PAGE_SHIFT
const PAGE_MASK = PAGE_ENTRIES - 1
// 65,536 slots (256 KiB) per page of the table.
const TABLE_SHIFT = 16
const TABLE_PAGE = 1 << TABLE_SHIFT
const TABLE_MASK = TABLE_PAGE - 1
