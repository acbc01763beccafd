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
// Result pages (groups) that come with their text: the first ones at once (Material renders 10,
// then more on scroll), up to MAX_PAGES in a second answer; any further ones show their title only.
const FIRST_PAGES = 10
const MAX_PAGES = 50

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
    return { pages, pageOf, first, boosts: new Map(Object.entries(boosts).map(([d, b]) => [+d, b])) }
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
  const scores = new Map(), matched = new Map()
  const required = [], prohibited = new Set()
  for (const clause of query) {
    const docs = new Set()
    const weight = new Map()  // a term several clauses expand to counts once per clause, as in lunr
    for (const [, flat] of await expand(clause.term, clause.presence !== OPTIONAL)) {
      const idf = Math.log(1 + Math.abs((state.documents - flat.length / 3 + 0.5) / (flat.length / 3 + 0.5)))
      for (let i = 0, doc = 0; i < flat.length; i += 3) {
        doc += flat[i]
        docs.add(doc)
        const tf = flat[i + 2]
        const w = idf * (K1 + 1) * tf / (K1 + tf) * state.boosts[flat[i + 1]] * (index.boosts.get(doc) ?? 1)
        weight.set(doc, (weight.get(doc) || 0) + w)
      }
    }
    if (clause.presence === PROHIBITED) { docs.forEach(d => prohibited.add(d)); continue }
    if (clause.presence === REQUIRED) required.push(docs)
    for (const [doc, w] of weight) {
      scores.set(doc, (scores.get(doc) || 0) + w)
      if (!matched.has(doc)) matched.set(doc, new Set())
      matched.get(doc).add(clause.term)
    }
  }
  const terms = [...new Set(query.filter(c => c.presence !== PROHIBITED).map(c => c.term))]
  const ranked = []
  for (const [doc, score] of scores) {
    if (prohibited.has(doc) || required.some(set => !set.has(doc))) continue
    const found = matched.get(doc)
    const isPage = index.first[index.pageOf[doc]] === doc
    const boost = +isPage + terms.filter(t => found.has(t)).length / terms.length
    ranked.push({ doc, score: score * (1 + boost ** 2), found })
  }
  ranked.sort((a, b) => b.score - a.score)
  const groups = new Map()
  for (const hit of ranked) {
    const page = index.pageOf[hit.doc]
    if (!groups.has(page)) groups.set(page, [])
    groups.get(page).push(hit)
  }
  return answers(index, groups, terms)
}

/* The groups Material shows first come with their pages' text at once; the text of
 * the next ones is fetched for a second answer, which Material renders in place of
 * the first */
async function answers(index, groups, terms) {
  const all = [...groups.keys()]
  const heads = from => all.slice(from).map(page => head(index, groups.get(page)[0].score, page))
  const first = await render(index, groups, terms, all.slice(0, FIRST_PAGES))
  if (all.length <= FIRST_PAGES) return [first]
  const more = render(index, groups, terms, all.slice(FIRST_PAGES, MAX_PAGES))
  return [first.concat(heads(FIRST_PAGES)), more.then(items => first.concat(items, heads(MAX_PAGES)))]
}

/* A page without its text yet: its title from pages.json */
function head(index, score, page) {
  const [location, title, tags] = index.pages[page]
  return [{ location, title, text: "", score, terms: {}, ...(tags.length ? { tags } : {}) }]
}

async function render(index, groups, terms, pages) {
  const docs = await Promise.all(pages.map(p => load(`docs/${p}.json`)))
  return pages.map((page, g) => {
    const hits = groups.get(page)
    const first = index.first[page]
    if (!hits.some(hit => hit.doc === first)) hits.push({ doc: first, score: 0, found: null })
    return hits.map(({ doc, score, found }) => {
      const [location, title, text] = docs[g][doc - first]
      const marks = found ? terms.filter(t => found.has(t)) : []
      const item = {
        location, score,
        title: highlight(title, marks, true),
        text: highlight(text, marks, false),
        terms: found ? Object.fromEntries(terms.map(t => [t, found.has(t)])) : {}
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
 * is kept whole around them. */
function highlight(input, marks, full) {
  if (!marks.length || !input) return input
  const table = []  // block → entries [start, end, marked]
  const words = (block, start, end) => {
    const section = input.slice(start, end)
    table[block] ||= []
    split(section, state.separator, (i, until) => {
      const word = section.slice(i, until).toLowerCase()
      table[block].push([start + i, start + until, marks.some(m => word.startsWith(m))])
    })
  }
  let block = 0, start = 0, end = 0
  for (let stack = 0; end < input.length; end++) {
    if (input.charAt(end) === "<" && end > start) {
      words(block, start, end)
      start = end
    } else if (input.charAt(end) === ">") {
      if (input.charAt(start + 1) === "/") {
        if (--stack === 0) (table[block++] ||= []).push([start, end + 1, false])
      } else if (input.charAt(end - 1) !== "/") {
        if (stack++ === 0) (table[block] ||= []).push([start, end + 1, false])
      }
      start = end + 1
    }
  }
  if (end > start) words(block, start, end)
  const slices = []
  let cursor = 0
  for (const entries of table) {
    if (!entries || !entries.some(([, , marked]) => marked)) continue
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
  const groups = new Map(hits.map(({ page, rank }) =>
    [page, [{ doc: index.first[page], score: rank, found: null }]]))
  return answers(index, groups, [])
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
    return [{ type: RESULT, data: { items: now } }, later && later.then(items => ({ type: RESULT, data: { items } }), failed)]
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
    if (later) later.then(more => current() && postMessage(more))
  })
})
