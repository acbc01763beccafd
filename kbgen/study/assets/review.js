/* kbgen review: spaced repetition of every quiz and flashcard with FSRS (ts-fsrs),
 * and the "n cards, m due" line on notes. The learner's state lives in localStorage
 * under one versioned key; export/import moves it between browsers as a JSON file.
 * Markup: kbgen/study/review_page.py (templates/generated/review.html) and note_count.py. */
(function () {
  "use strict";

  var STORE = "kbgen.review";
  var VERSION = 1;
  var FORMAT = "kbgen-review";

  // {version, cards: {id: ts-fsrs card with dates as ISO strings}}
  function loadState() {
    try {
      var saved = JSON.parse(localStorage.getItem(STORE) || "null");
      if (saved && saved.version === VERSION && saved.cards && typeof saved.cards === "object") return saved;
    } catch (e) { /* unreadable: start over */ }
    return { version: VERSION, cards: {} };
  }

  function saveState(state) {
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }

  // A card never reviewed is new, and new cards are due.
  function isDue(saved, now) {
    return !saved || new Date(saved.due).getTime() <= now;
  }

  function all(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, key) { return key in values ? values[key] : m; });
  }

  // ------------------------------------------------------------------ the line on notes

  function setupCount(line) {
    var ids = (line.getAttribute("data-cards") || "").split(" ").filter(Boolean);
    var state = loadState(), now = Date.now();
    var due = ids.filter(function (id) { return isDue(state.cards[id], now); }).length;
    line.querySelector(".kb-study-count__due").textContent = "· " + fill(line.getAttribute("data-due-text"), { m: due });
    line.setAttribute("data-due", String(due));
  }

  // ------------------------------------------------------------------ the review page

  // The list of notes and cards is a script of its own (review-data.js), the cards' HTML a bank of
  // chunks (kbgen/study/bank.py): the page stays small however many cards the vault has.
  function setupReview(root) {
    if (root.kbReview) return;
    root.kbReview = true;
    window.kbgenQuiz.loadBank(root.getAttribute("data-src"), "review-data", function (data) {
      if (data) startReview(root, data);
    });
  }

  function startReview(root, data) {
    var text = JSON.parse(root.getAttribute("data-text"));
    var bankSrc = root.getAttribute("data-bank"), bankSize = Number(root.getAttribute("data-bank-size"));
    var summary = root.querySelector(".kb-review__summary");
    var tagSelect = root.querySelector(".kb-review__tag");
    var noteSelect = root.querySelector(".kb-review__note");
    var stage = root.querySelector(".kb-review__stage");
    var slot = root.querySelector(".kb-review__card");
    var source = root.querySelector(".kb-review__source a");
    var showButton = root.querySelector(".kb-review__show");
    var grades = root.querySelector(".kb-review__grades");
    var nextButton = root.querySelector(".kb-review__next");
    var scheduler = window.FSRS.fsrs(window.FSRS.generatorParameters({ enable_fuzz: false }));
    var current = null, pending = null, rendering = 0;
    data.notes.forEach(function (note) {
      var option = document.createElement("option");
      option.value = note.path;
      option.textContent = note.title;
      noteSelect.appendChild(option);
    });

    function wanted(card) {
      var note = data.notes[card.n];
      if (noteSelect.value && note.path !== noteSelect.value) return false;
      return !tagSelect.value || note.tags.indexOf(tagSelect.value) >= 0;
    }

    // Due cards in the order they fell due, new cards after them in page order.
    function queue() {
      var state = loadState(), now = Date.now();
      var chosen = data.cards.filter(wanted);
      var due = chosen.filter(function (card) { return isDue(state.cards[card.id], now); });
      due.sort(function (a, b) {
        var sa = state.cards[a.id], sb = state.cards[b.id];
        if (!sa || !sb) return (sa ? 0 : 1) - (sb ? 0 : 1);
        return new Date(sa.due) - new Date(sb.due);
      });
      return { due: due, total: chosen.length };
    }

    function revive(saved) {
      var card = Object.assign({}, saved);
      card.due = new Date(saved.due);
      card.last_review = saved.last_review ? new Date(saved.last_review) : undefined;
      return card;
    }

    function grade(rating) {
      if (!current) return;
      var state = loadState(), now = new Date();
      var saved = state.cards[current.id];
      var before = saved ? revive(saved) : window.FSRS.createEmptyCard(now);
      var after = scheduler.next(before, now, rating).card;
      state.cards[current.id] = JSON.parse(JSON.stringify(after));
      saveState(state);
      root.dispatchEvent(new CustomEvent("kb-review:graded", { detail: { id: current.id, rating: rating } }));
      showNext();
    }

    // The card's HTML from its bank chunk (loaded once), then ``then``; a newer card asked for wins.
    function render(card, then) {
      var ticket = ++rendering;
      window.kbgenQuiz.bankItem(bankSrc, bankSize, card.t, function (html) {
        if (ticket !== rendering) return;
        var holder = document.createElement("template");
        holder.innerHTML = html || "";
        slot.textContent = "";
        slot.appendChild(holder.content);
        shape(card);
        then();
      });
    }

    function shape(card) {
      slot.setAttribute("data-kind", card.k);
      slot.setAttribute("data-card", card.id);
      if (card.k === "reverse") {  // back → front: the back is the question
        var front = slot.querySelector(".kb-review__front"), back = slot.querySelector(".kb-review__back");
        front.parentNode.insertBefore(back, front);
        back.className = "kb-review__front";
        front.className = "kb-review__back";
      }
      if (card.k === "cloze") {
        // The deletion's words leave the DOM until revealed (a hidden text would still be read out).
        all(slot, ".kb-cloze").forEach(function (part) {
          if (part.getAttribute("data-cloze") !== card.g) { part.classList.add("is-other"); return; }
          part.kbAnswer = document.createDocumentFragment();
          while (part.firstChild) part.kbAnswer.appendChild(part.firstChild);
          part.classList.add("is-blank");
          part.textContent = "[…]";
        });
      }
    }

    function showNext() {
      var found = queue();
      summary.textContent = fill(text.summary, { m: found.due.length, total: found.total });
      pending = null;
      showButton.hidden = true;
      grades.hidden = true;
      nextButton.hidden = true;
      current = found.due[0] || null;
      if (!current) {
        rendering += 1;  // a card still loading is not shown
        slot.textContent = text.done;
        slot.removeAttribute("data-card");
        source.parentNode.hidden = true;
        return;
      }
      render(current, shown);
    }

    function shown() {
      var note = data.notes[current.n];
      source.parentNode.hidden = false;
      source.href = note.href + (current.k === "quiz" ? "#quiz-" + current.id : "#card-" + current.id.split("-")[0]);
      source.textContent = text.openNote + ": " + note.title;
      if (current.k === "quiz") {
        var quiz = slot.querySelector(".kb-quiz");
        window.kbgenQuiz.setup(quiz);
        var first = quiz.querySelector("input");
        if (first) first.focus();
      } else {
        slot.classList.remove("is-revealed");
        showButton.hidden = false;
        showButton.focus();
      }
    }

    function reveal() {
      if (!current || current.k === "quiz" || slot.classList.contains("is-revealed")) return;
      slot.classList.add("is-revealed");
      all(slot, ".kb-cloze.is-blank").forEach(function (part) {
        part.textContent = "";
        part.appendChild(part.kbAnswer);
        part.classList.replace("is-blank", "is-answer");
      });
      showButton.hidden = true;
      grades.hidden = false;
      grades.querySelector('[data-rating="3"]').focus();
    }

    // A quiz grades itself: right on the first try is Good, anything else Again.
    slot.addEventListener("kb-quiz:answer", function (event) {
      if (!current || current.k !== "quiz" || pending !== null || !event.detail.first) return;
      pending = event.detail.correct ? 3 : 1;
      nextButton.hidden = false;
      nextButton.focus();
    });

    nextButton.addEventListener("click", function () { if (pending !== null) grade(pending); });
    showButton.addEventListener("click", reveal);
    all(grades, ".kb-review__grade").forEach(function (button) {
      button.addEventListener("click", function () { grade(Number(button.getAttribute("data-rating"))); });
    });

    // Keys: Space shows the answer, 1–4 grade it (not while typing a short answer).
    root.addEventListener("keydown", function (event) {
      if (event.target && /^(INPUT|SELECT|TEXTAREA)$/.test(event.target.tagName) && event.target.type !== "radio"
          && event.target.type !== "checkbox") return;
      if (!grades.hidden && /^[1-4]$/.test(event.key)) {
        event.preventDefault();
        grade(Number(event.key));
      }
    });

    tagSelect.addEventListener("change", showNext);
    noteSelect.addEventListener("change", showNext);

    root.querySelector(".kb-review__export").addEventListener("click", function () {
      var state = loadState();
      var file = { format: FORMAT, version: VERSION, exported: new Date().toISOString(), cards: state.cards };
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([JSON.stringify(file, null, 1)], { type: "application/json" }));
      link.download = "kbgen-review-" + file.exported.slice(0, 10) + ".json";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });

    // Importing merges: for each card the more recently reviewed history wins.
    root.querySelector(".kb-review__file").addEventListener("change", function (event) {
      var file = event.target.files && event.target.files[0];
      if (!file) return;
      file.text().then(function (content) {
        var incoming = JSON.parse(content);
        if (!incoming || incoming.format !== FORMAT || incoming.version !== VERSION || typeof incoming.cards !== "object") {
          throw new Error("format");
        }
        var state = loadState(), count = 0;
        Object.keys(incoming.cards).forEach(function (id) {
          var theirs = incoming.cards[id], ours = state.cards[id];
          if (!theirs || isNaN(new Date(theirs.due).getTime())) return;
          if (!ours || new Date(theirs.last_review || 0) > new Date(ours.last_review || 0)) {
            state.cards[id] = theirs;
            count += 1;
          }
        });
        saveState(state);
        showNext();
        summary.textContent = fill(text.imported, { n: count }) + " " + summary.textContent;
      }).catch(function () {
        summary.textContent = text.failed;
      });
      event.target.value = "";
    });

    var hash = /[#&]note=([^&]*)/.exec(location.hash);
    if (hash) noteSelect.value = decodeURIComponent(hash[1]);
    root.hidden = false;
    showNext();
  }

  // ts-fsrs is loaded on the review page only, on demand.
  function loadScheduler(root, then) {
    if (window.FSRS) { then(); return; }
    var script = document.createElement("script");
    script.src = root.getAttribute("data-fsrs-src");
    script.onload = then;
    document.head.appendChild(script);
  }

  function init() {
    all(document, ".kb-study-count").forEach(setupCount);
    all(document, ".kb-review").forEach(function (root) {
      if (root.getAttribute("data-fsrs-src")) loadScheduler(root, function () { setupReview(root); });
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
