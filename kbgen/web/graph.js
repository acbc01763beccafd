/* Graph view: a local graph under each note (neighbours up to two hops, the note itself
 * marked) and the global graph page. The graph data (one JSON file per build) and the
 * force-graph library are fetched only when a graph comes into view, so a note page
 * never waits on them. Nodes link to notes, sized by link count, coloured by group. */
(function () {
  "use strict";
  var DATA = "assets/kbgen-web/graph.json";
  var LIB = "assets/force-graph/force-graph.min.js";
  var LOCAL_HOPS = 2;
  var LOCAL_MAX = 250;  // a hub's two-hop neighbourhood can be the whole vault: keep it readable
  var PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948",
                 "#ff9da7", "#9c755f", "#e15759", "#bab0ac"];
  var CURRENT = "#e8368f";
  var data = null;
  var dark = kb.dark();
  var drawnGraphs = [];

  // Material's light/dark toggle: recolour drawn graphs (force-graph only repaints when told).
  if (window.MutationObserver) {
    new MutationObserver(function () {
      dark = kb.dark();
      drawnGraphs = drawnGraphs.filter(function (g) { return g.el.isConnected; });
      drawnGraphs.forEach(function (g) { g.graph.linkColor(g.graph.linkColor()); });
    }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  }

  function loadData() {
    if (!data) {
      data = fetch(kb.base + DATA).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(prepare);
      data.catch(function () { data = null; });
    }
    return data;
  }

  function prepare(raw) {
    raw.adjacent = raw.nodes.map(function () { return []; });
    raw.links.forEach(function (pair) {
      raw.adjacent[pair[0]].push(pair[1]);
      raw.adjacent[pair[1]].push(pair[0]);
    });
    raw.byPath = {};
    raw.nodes.forEach(function (node, i) {
      var path = node.u;
      try { path = decodeURIComponent(path); } catch (e) { /* keep */ }
      raw.byPath[path.replace(/index\.html$/, "")] = i;
    });
    return raw;
  }

  function colour(group) { return group < PALETTE.length ? PALETTE[group] : PALETTE[PALETTE.length - 1]; }

  function groupName(raw, group) { return group < PALETTE.length - 1 ? raw.groups[group] : kb.t("graph.other"); }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  // Breadth-first from the current note, nearest first, at most LOCAL_MAX notes.
  function neighbourhood(raw, start) {
    var hops = {};
    hops[start] = 0;
    var order = [start];
    for (var i = 0; i < order.length && order.length < LOCAL_MAX; i++) {
      var node = order[i];
      if (hops[node] >= LOCAL_HOPS) continue;
      raw.adjacent[node].forEach(function (next) {
        if (hops[next] === undefined && order.length < LOCAL_MAX) {
          hops[next] = hops[node] + 1;
          order.push(next);
        }
      });
    }
    return order;
  }

  function legend(el, raw, groups) {
    var box = document.createElement("ul");
    box.className = "kb-graph-legend";
    box.setAttribute("aria-label", kb.t("graph.legend"));
    groups.forEach(function (group) {
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "kb-graph-swatch";
      swatch.style.background = group < 0 ? CURRENT : colour(group);
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(group < 0 ? kb.t("graph.current") : groupName(raw, group)));
      box.appendChild(item);
    });
    el.appendChild(box);
  }

  // A plain list of the drawn notes' links: the graph for keyboards and screen readers.
  function linkList(el, raw, indices, current) {
    var details = document.createElement("details");
    details.className = "kb-graph-list";
    var summary = document.createElement("summary");
    summary.textContent = kb.t("graph.neighbours") + " (" + (indices.length - (current >= 0 ? 1 : 0)) + ")";
    details.appendChild(summary);
    var list = document.createElement("ul");
    indices.forEach(function (i) {
      if (i === current) return;
      var item = document.createElement("li");
      var a = document.createElement("a");
      a.href = kb.base + raw.nodes[i].u;
      a.textContent = raw.nodes[i].t;
      item.appendChild(a);
      list.appendChild(item);
    });
    details.appendChild(list);
    el.appendChild(details);
  }

  function draw(el, raw, indices, current) {
    var keep = {};
    indices.forEach(function (i) { keep[i] = true; });
    var nodes = indices.map(function (i) {
      var n = raw.nodes[i];
      return { id: i, t: n.t, u: n.u, g: n.g, n: n.n };
    });
    var links = [];
    raw.links.forEach(function (pair) {
      if (keep[pair[0]] && keep[pair[1]]) links.push({ source: pair[0], target: pair[1] });
    });
    var canvas = document.createElement("div");
    canvas.className = "kb-graph-canvas";
    el.textContent = "";
    el.appendChild(canvas);
    var local = current >= 0;
    var started = performance.now();
    var drawn = false;
    var graph = window.ForceGraph()(canvas)
      .width(canvas.clientWidth || el.clientWidth || 600)
      .height(local ? 320 : Math.max(400, Math.round(window.innerHeight * 0.7)))
      .graphData({ nodes: nodes, links: links })
      .nodeId("id")
      .nodeVal(function (n) { return 1 + n.n; })
      .nodeRelSize(local ? 4 : 3)
      .nodeLabel(function (n) { return escapeHtml(n.t); })  // force-graph shows labels as HTML
      .nodeColor(function (n) { return n.id === current ? CURRENT : colour(n.g); })
      .linkColor(function () { return dark ? "rgba(255,255,255,0.25)" : "rgba(0,0,0,0.2)"; })
      .nodeCanvasObjectMode(function () { return local ? "after" : undefined; })
      .nodeCanvasObject(function (n, ctx, scale) {
        var size = (n.id === current ? 12 : 10) / scale;
        ctx.font = (n.id === current ? "bold " : "") + size + "px sans-serif";
        ctx.textAlign = "center";
        ctx.textBaseline = "top";
        ctx.fillStyle = dark ? "#ddd" : "#333";
        ctx.fillText(n.t.length > 24 ? n.t.slice(0, 23) + "…" : n.t, n.x, n.y + Math.sqrt(1 + n.n) * 4 + 2 / scale);
      })
      .cooldownTicks(local ? 120 : 300)
      .onNodeClick(function (n) { location.href = kb.base + n.u; })
      .onRenderFramePost(function () {
        if (!drawn && nodes.length) {
          drawn = true;
          el.setAttribute("data-first-draw-ms", String(Math.round(performance.now() - started)));
          el.setAttribute("data-first-draw-at", String(Math.round(performance.now())));
        }
      })
      .onEngineStop(function () {
        if (el.getAttribute("data-settled")) return;
        graph.zoomToFit(0, 24);
        el.setAttribute("data-settled", "1");
      });
    el.kbGraph = graph;
    drawnGraphs.push({ el: el, graph: graph });
    el.setAttribute("data-nodes", String(nodes.length));
    el.setAttribute("data-links", String(links.length));
    var groups = [];
    nodes.forEach(function (n) { if (groups.indexOf(Math.min(n.g, PALETTE.length - 1)) < 0) groups.push(Math.min(n.g, PALETTE.length - 1)); });
    groups.sort(function (a, b) { return a - b; });
    if (local) groups.unshift(-1);
    legend(el, raw, groups);
    if (local) linkList(el, raw, indices, current);
    window.addEventListener("resize", function () { graph.width(canvas.clientWidth || el.clientWidth); });
  }

  function start(el) {
    if (el.kbStarted) return;
    el.kbStarted = true;
    var status = document.createElement("p");
    status.className = "kb-graph-status";
    status.textContent = kb.t("graph.loading");
    el.appendChild(status);
    Promise.all([loadData(), kb.loadScript(LIB)]).then(function (done) {
      var raw = done[0];
      if (el.getAttribute("data-kb-graph") === "global") {
        draw(el, raw, raw.nodes.map(function (_, i) { return i; }), -1);
        return;
      }
      var current = raw.byPath[kb.pagePath()];
      if (current === undefined || !raw.adjacent[current].length) {
        el.closest(".kb-graph-local").hidden = true;  // a note without links has no graph to show
        return;
      }
      draw(el, raw, neighbourhood(raw, current), current);
    }).catch(function (err) {
      status.textContent = "";
      if (window.console) console.warn("kbgen: graph:", err);
    });
  }

  // The local graph's heading, written here so the search index never sees it on every page.
  function heading(section) {
    if (section.querySelector(".kb-graph-title")) return;
    var title = document.createElement("p");
    title.className = "kb-graph-title";
    title.setAttribute("role", "heading");
    title.setAttribute("aria-level", "2");
    title.textContent = kb.t("graph.local") + " ";
    var all = document.createElement("a");
    all.href = new URL(section.getAttribute("data-kb-graph-page") || "", location.href).href;
    all.textContent = kb.t("graph.global");
    title.appendChild(all);
    section.insertBefore(title, section.firstChild);
  }

  function setUp() {
    Array.prototype.forEach.call(document.querySelectorAll(".kb-graph-local"), heading);
    var graphs = document.querySelectorAll("[data-kb-graph]");
    if (!graphs.length) return;
    var lazy = window.IntersectionObserver ? new IntersectionObserver(function (entries, observer) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); start(entry.target); }
      });
    }, { rootMargin: "200px" }) : null;
    Array.prototype.forEach.call(graphs, function (el) {
      if (lazy && el.getAttribute("data-kb-graph") === "local") lazy.observe(el); else start(el);
    });
  }

  kb.onPage(setUp);
})();
