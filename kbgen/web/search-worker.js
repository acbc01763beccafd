/* kbgen's search worker: answers Material's search box from the split index.
 *
 * Material's page code talks to its search worker with four messages (SETUP with
 * the index's config, READY, QUERY with the typed text, RESULT with the items
 * its result list renders); the adapter points the page at this worker instead.
 * Rather than one file with every page's text and a lunr index built from it
 * before the first answer, it fetches pages.json once and, per search, only the
 * term shards its words start with and the documents of the pages it shows
 * (kbgen/search/shards.py writes them).
 *
 * Scores are lunr's with Material's settings (BM25, b = 0, k1 = 1.2; field and
 * document boosts; every word a prefix; Material's bonus for pages and for
 * matching more of the words), so results rank as with Material's worker.
 * A query starting with "#" searches tags only: "#a" finds a tag starting with
 * "a" at any level of its path (a, a/b, x/a…).
 */
"use strict"

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3
const OPTIONAL = 0, REQUIRED = 1, PROHIBITED = 2
const K1 = 1.2
// Result pages (groups) that come with their text: the first ones at once (those on screen, see
// answers()), up to MAX_PAGES in a second answer; any further ones show their title only.
const FIRST_PAGES = 6
const MAX_PAGES = 50
// The second round of text requests waits this long after the first answer: Material
// renders that answer meanwhile, and on two cores the requests would slow it down.
const SECOND_ROUND_DELAY = 100

let state = null  // set by SETUP
let queue = Promise.resolve()
let latest = 0

const cached = new Map()
function load(path) {
  if (!cached.has(path)) {
    const url = new URL(path, self.location)
    cached.set(path, fetch(url).then(r => {
      if (!r.ok) throw new Error(`${url}: ${r.status}`)
      return r.json()
    }))
  }
  return cached.get(path)
}

/* Material's split loop: the ranges between separator matches */
function split(input, separator, fn) {
  const re = new RegExp(separator.source, "g")
  let match, index = 0
  do {
    match = re.exec(input)
    const until = match ? match.index : input.length
    if (index < until) fn(index, until)
    if (match) {
      index = match.index + match[0].length
      if (match[0].length === 0) re.lastIndex = match.index + 1
    }
  } while (match)
}

function setup(config) {
  const kb = config.kbgen
  const pages = load("pages.json").then(({ pages, boosts }) => {
    const pageOf = new Int32Array(kb.documents)
    const first = []
    let doc = 0
    pages.forEach(([, , , count], p) => {
      first.push(doc)
      for (let i = 0; i < count; i++) pageOf[doc++] = p
    })
    const boost = new Float64Array(kb.documents).fill(1)  // a document's boost (1 unless Material set one)
    for (const [d, b] of Object.entries(boosts)) boost[+d] = b
    return { pages, pageOf, first, boost }
  })
  pages.catch(() => {})  // reported when a query needs it
  state = {
    separator: new RegExp(config.separator),
    boosts: Object.values(config.fields).map(f => f.boost ?? 1),
    documents: kb.documents,
    shards: Object.entries(kb.shards),
    pages
  }
}

/* The query's words, as Material's query transform makes them: a quoted phrase
 * requires its words (not the first when it starts with a non-ASCII letter:
 * Material's own rule), "+" requires a word, "-" excludes one; those match
 * whole words, every other word is a prefix */
function clauses(value) {
  const out = []
  const query = value.trim()
    .split(/"([^"]+)"/g)
    .map((part, quoted) => quoted & 1 ? part.replace(/^\b|^(?![^\x00-\x7F]|$)|\s+/g, " +") : part)
    .join("")
    .replace(/"|(?:^|\s+)[*+\-:^~]+(?=\s+|$)/g, "")
  for (let word of query.split(/\s+/)) {
    let presence = OPTIONAL
    if (word.startsWith("+")) { presence = REQUIRED; word = word.slice(1) }
    else if (word.startsWith("-")) { presence = PROHIBITED; word = word.slice(1) }
    split(word, state.separator, (start, end) => {
      const term = word.slice(start, end).toLowerCase().replace(/[~^]\d*$/, "").replace(/\*/g, "")
      if (term) out.push({ term, presence })
    })
  }
  return out
}

/* Every indexed term starting with `prefix` (or only `prefix` itself), with its postings */
async function expand(prefix, exact) {
  const wanted = state.shards.filter(([key]) => key.startsWith(prefix) || prefix.startsWith(key))
  const shards = await Promise.all(wanted.map(([, n]) => load(`terms/${n}.json`)))
  const found = []
  for (const { t, p } of shards) {
    let lo = 0, hi = t.length
    while (lo < hi) { const mid = (lo + hi) >> 1; if (t[mid] < prefix) lo = mid + 1; else hi = mid }
    for (let i = lo; i < t.length && (exact ? t[i] === prefix : t[i].startsWith(prefix)); i++) found.push([t[i], p[i]])
  }
  return found
}

async function search(value) {
  const index = await state.pages
  const query = clauses(value)
  if (!query.length) return [[]]
  // Every word's shards in one round of requests, not one round per word
  const expansions = await Promise.all(query.map(c => expand(c.term, c.presence !== OPTIONAL)))
  // Per-document arrays rather than Maps and Sets: a common word matches most of the
  // 10,000+ documents of a large site, and allocation was most of the scoring time
  const n = state.documents
  const scores = new Float64Array(n), weight = new Float64Array(n)
  const seen = new Int32Array(n)  // the clause (1-based) that last touched a document
  const requiredHits = new Uint8Array(n), prohibited = new Uint8Array(n)
  const terms = [...new Set(query.filter(c => c.presence !== PROHIBITED).map(c => c.term))]
  const found = terms.map(() => new Uint8Array(n))  // found[t][doc]: the doc matched terms[t]
  const scored = new Uint8Array(n), touched = []  // scored documents in the order first scored (ties keep it)
  let required = 0
  query.forEach((clause, c) => {
    const stamp = c + 1, docs = []
    for (const [, flat] of expansions[c]) {
      const idf = Math.log(1 + Math.abs((state.documents - flat.length / 3 + 0.5) / (flat.length / 3 + 0.5)))
      for (let i = 0, doc = 0; i < flat.length; i += 3) {
        doc += flat[i]
        if (seen[doc] !== stamp) { seen[doc] = stamp; weight[doc] = 0; docs.push(doc) }
        const tf = flat[i + 2]
        weight[doc] += idf * (K1 + 1) * tf / (K1 + tf) * state.boosts[flat[i + 1]] * index.boost[doc]
      }
    }
    if (clause.presence === PROHIBITED) { for (const doc of docs) prohibited[doc] = 1; return }
    if (clause.presence === REQUIRED) { required++; for (const doc of docs) requiredHits[doc]++ }
    const t = terms.indexOf(clause.term)
    for (const doc of docs) {
      if (!scored[doc]) { scored[doc] = 1; touched.push(doc) }
      scores[doc] += weight[doc]
      found[t][doc] = 1
    }
  })
  const ranked = [], final = new Float64Array(n)
  for (const doc of touched) {
    if (prohibited[doc] || requiredHits[doc] < required) continue
    let count = 0
    for (const f of found) count += f[doc]
    const isPage = index.first[index.pageOf[doc]] === doc
    const boost = +isPage + count / terms.length
    final[doc] = scores[doc] * (1 + boost ** 2)
    ranked.push(doc)
  }
  ranked.sort((a, b) => final[b] - final[a])  // stable: ties keep the order first scored
  return answers(index, grouped(index, ranked, final), terms, (doc, t) => found[t][doc] === 1)
}

/* Pages in the order of their best document. Only the pages that are shown with
 * their text keep the list of their documents; the others need their best score. */
function grouped(index, ranked, final) {
  const groups = [], slot = new Int32Array(index.pages.length).fill(-1)
  for (const doc of ranked) {
    const page = index.pageOf[doc]
    if (slot[page] < 0) {
      slot[page] = groups.length
      groups.push({ page, score: final[doc], hits: groups.length < MAX_PAGES ? [] : null })
    }
    const { hits } = groups[slot[page]]
    if (hits) hits.push({ doc, score: final[doc] })
  }
  return groups
}

/* The groups Material shows first come with their pages' text at once; the text of
 * the next ones is fetched for a second answer, which Material renders in place of
 * the first. Material renders 10 groups, but 4-6 fit its result panel on a screen
 * (75% of the window, about 190 px a result), and a browser opens 6 connections to
 * a host (HTTP/1.1): the texts of the first FIRST_PAGES come in one round of requests. */
async function answers(index, groups, terms, matches) {
  const first = await render(index, groups.slice(0, FIRST_PAGES), terms, matches)
  if (groups.length <= FIRST_PAGES) return [first, null]
  const rest = []
  for (let g = FIRST_PAGES; g < groups.length; g++) rest.push(head(index, groups[g]))
  const more = () => render(index, groups.slice(FIRST_PAGES, MAX_PAGES), terms, matches)
    .then(items => first.concat(items, rest.slice(MAX_PAGES - FIRST_PAGES)))
  return [first.concat(rest), more]
}

/* A page without its text yet: its title from pages.json */
function head(index, { page, score }) {
  const entry = index.pages[page], tags = entry[2]
  const item = { location: entry[0], title: entry[1], text: "", score, terms: {} }
  if (tags.length) item.tags = tags
  return [item]
}

/* `matches(doc, t)`: whether document doc matched terms[t] (null for a tag search).
 * A page shown for a match in one of its sections is listed too, unmarked. */
async function render(index, groups, terms, matches) {
  const docs = await Promise.all(groups.map(({ page }) => load(`docs/${page}.json`)))
  return groups.map(({ page, hits }, g) => {
    const first = index.first[page]
    const shown = hits.some(hit => hit.doc === first) ? hits : hits.concat([{ doc: first, score: 0, unmatched: true }])
    return shown.map(({ doc, score, unmatched }) => {
      const [location, title, text] = docs[g][doc - first]
      const has = terms.map((_, t) => !unmatched && matches !== null && matches(doc, t))
      const marks = terms.filter((_, t) => has[t])
      const item = {
        location, score,
        title: highlight(title, marks, true),
        text: highlight(text, marks, false),
        terms: unmatched || matches === null ? {} : Object.fromEntries(terms.map((term, t) => [term, has[t]]))
      }
      if (doc === first && index.pages[page][2].length) item.tags = index.pages[page][2].map(t => highlight(t, marks, true))
      return item
    })
  })
}

/* Mark the words starting with a matched term, as Material's highlighter marks
 * them: the input is cut into blocks (top-level elements, and the text after
 * one), each block runs from its first tag or word to its last; a text shows
 * its first two blocks with a mark (or all of it when none has one), a title
 * is kept whole around them.
 * Splitting into words with the Korean separator is the costly part, so a block
 * is split only when its text contains a marked term at all (a word cannot start
 * with a term its block does not contain), and no block after the second marked
 * one. "Σ" lower-cases by context, so text with it is always split. */
function highlight(input, marks, full) {
  if (!marks.length || !input) return input
  const blocks = [[]]  // block → its pieces in order: [start, end, isText]
  let start = 0, end = 0
  for (let stack = 0; end < input.length; end++) {
    if (input.charAt(end) === "<" && end > start) {
      blocks[blocks.length - 1].push([start, end, true])
      start = end
    } else if (input.charAt(end) === ">") {
      if (input.charAt(start + 1) === "/") {
        if (--stack === 0) { blocks[blocks.length - 1].push([start, end + 1, false]); blocks.push([]) }
      } else if (input.charAt(end - 1) !== "/") {
        if (stack++ === 0) blocks[blocks.length - 1].push([start, end + 1, false])
      }
      start = end + 1
    }
  }
  if (end > start) blocks[blocks.length - 1].push([start, end, true])
  const always = input.includes("\u03a3")
  const mayMark = ([s, e, isText]) => isText && (always || marks.some(m => input.slice(s, e).toLowerCase().includes(m)))
  const slices = []
  let cursor = 0
  for (const pieces of blocks) {
    if (!pieces.some(mayMark)) continue
    const entries = []  // [start, end, marked]
    for (const [s, e, isText] of pieces) {
      if (!isText) { entries.push([s, e, false]); continue }
      const section = input.slice(s, e)
      split(section, state.separator, (i, until) => {
        const word = section.slice(i, until).toLowerCase()
        entries.push([s + i, s + until, marks.some(m => word.startsWith(m))])
      })
    }
    if (!entries.some(([, , marked]) => marked)) continue
    const from = entries[0][0], to = entries[entries.length - 1][1]
    if (full && from > cursor) slices.push(input.slice(cursor, from))
    let slice = input.slice(from, to)
    for (const [s, e, marked] of [...entries].reverse())
      if (marked) slice = slice.slice(0, s - from) + "<mark>" + slice.slice(s - from, e - from) + "</mark>" + slice.slice(e - from)
    cursor = to
    if (slices.push(slice) === 2) break
  }
  if (!slices.length) return input
  if (full && cursor < input.length) slices.push(input.slice(cursor))
  return slices.join("")
}

/* "#tag": pages with a tag that starts with it, at its root (a, a/b) before deeper (x/a) */
async function searchTags(value) {
  const index = await state.pages
  const wanted = value.trim().slice(1).toLowerCase().replace(/\/+$/, "")
  if (!wanted) return [[]]
  const hits = []
  index.pages.forEach(([, , tags], page) => {
    let rank = 0
    for (const tag of tags.map(t => t.toLowerCase())) {
      if (tag === wanted) rank = Math.max(rank, 3)
      else if (tag.startsWith(wanted)) rank = Math.max(rank, 2)
      else if (tag.split("/").some((_, i, parts) => i > 0 && parts.slice(i).join("/").startsWith(wanted))) rank = Math.max(rank, 1)
    }
    if (rank) hits.push({ page, rank })
  })
  hits.sort((a, b) => b.rank - a.rank || a.page - b.page)
  const groups = hits.map(({ page, rank }) => ({ page, score: rank, hits: [{ doc: index.first[page], score: rank }] }))
  return answers(index, groups, [], null)
}

/* The reply to a message, and for a query maybe a promise of a second, complete one */
async function answer(message) {
  if (message.type === SETUP) {
    setup(message.data.config)
    return [{ type: READY }, null]
  }
  if (message.type !== QUERY) throw new TypeError("Invalid message type")
  const value = String(message.data)
  const failed = err => {
    console.warn(`kbgen search: ${err}`)
    return { type: RESULT, data: { items: [] } }
  }
  try {
    const [now, later] = value.trim().startsWith("#") ? await searchTags(value) : await search(value)
    const more = later && (() => later().then(items => ({ type: RESULT, data: { items } }), failed))
    // "partial": a complete answer follows (Material reads only the items; tests wait for it)
    return [{ type: RESULT, data: more ? { items: now, partial: true } : { items: now } }, more]
  } catch (err) {
    return [failed(err), null]
  }
}

/* One message at a time, in order; nothing is posted for a query a newer one has replaced */
addEventListener("message", ev => {
  const query = ev.data && ev.data.type === QUERY
  const ticket = query ? ++latest : latest
  const current = () => !query || ticket === latest
  queue = queue.then(async () => {
    if (!current()) return
    const [reply, later] = await answer(ev.data)
    if (!current()) return
    postMessage(reply)
    if (later) setTimeout(() => current() && later().then(more => current() && postMessage(more)), SECOND_ROUND_DELAY)
  })
})
