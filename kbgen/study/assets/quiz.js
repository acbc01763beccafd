/* kbgen quizzes: checks answers, keeps progress in localStorage, runs the practice mode.
 * Progressive enhancement of the markup kbgen/study/quiz_syntax.py writes (without this
 * script the answer and explanations stay in a closed <details>). No library. */
(function () {
  "use strict";

  var STORE = "kbgen.quiz.v1";
  // Every word comes from kbgen's message table in the site's language (kbgen-web.js sets
  // window.kbgenMessages); the Korean texts are the fallback for a page without it.
  var WORDS = window.kbgenMessages || {};
  function word(key, fallback, values) {
    var text = Object.prototype.hasOwnProperty.call(WORDS, key) ? WORDS[key] : fallback;
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }
  var TEXT = {
    correct: word("quiz.correct", "정답입니다!"),
    incorrect: word("quiz.incorrect", "오답입니다. 다시 골라 보세요."),
    incorrectShort: word("quiz.incorrect_short", "오답입니다. 다시 입력해 보세요."),
    choose: word("quiz.choose", "답을 고르세요."),
    type: word("quiz.type", "답을 입력하세요."),
    revealed: word("quiz.revealed", "정답을 먼저 확인했습니다 (오답으로 기록)."),
    historyRight: word("quiz.history_right", "지난 기록: 맞힘"),
    historyWrong: word("quiz.history_wrong", "지난 기록: 틀림"),
    progress: function (total, answered, right) {
      return word("quiz.progress", "퀴즈 {total}개 · 푼 문제 {answered}개 · 맞힌 문제 {right}개",
                  { total: total, answered: answered, right: right });
    },
    counter: function (n, total, score) {
      return word("quiz.counter", "{n} / {total} · 점수 {score}", { n: n, total: total, score: score });
    },
    result: function (score, total) {
      return word("quiz.result", "끝! 점수: {score} / {total}", { score: score, total: total });
    },
    skip: word("quiz.skip", "건너뛰기"),
    next: word("quiz.next", "다음 문제"),
    last: word("quiz.last", "결과 보기"),
    again: word("quiz.again", "다시 하기"),
    source: word("quiz.source", "노트 보기")
  };

  // FNV-1a (32 bit) over UTF-8, as kbgen.study.model.answer_hash.
  function hash(text) {
    var bytes = new TextEncoder().encode(text);
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return ("0000000" + h.toString(16)).slice(-8);
  }

  // As kbgen.study.model.normalize_answer.
  function normalize(text) {
    return text.normalize("NFC").replace(/\s+/g, " ").trim().toLowerCase();
  }

  function loadProgress() {
    try { return JSON.parse(localStorage.getItem(STORE) || "{}") || {}; } catch (e) { return {}; }
  }

  function saveProgress(progress) {
    try { localStorage.setItem(STORE, JSON.stringify(progress)); } catch (e) { /* private mode */ }
  }

  // Only the first try counts: a quiz answered right after a wrong pick stays "wrong".
  function record(id, correct) {
    var progress = loadProgress();
    if (!progress[id]) {
      progress[id] = { answered: true, correct: correct, at: Date.now() };
      saveProgress(progress);
    }
  }

  function forget(ids) {
    var progress = loadProgress();
    ids.forEach(function (id) { delete progress[id]; });
    saveProgress(progress);
  }

  function all(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  function setupQuiz(quiz) {
    if (quiz.kbQuiz) return;
    quiz.kbQuiz = true;
    var id = quiz.getAttribute("data-quiz");
    var actions = quiz.querySelector(".kb-quiz__actions");
    var check = quiz.querySelector(".kb-quiz__check");
    var retry = quiz.querySelector(".kb-quiz__retry");
    var feedback = quiz.querySelector(".kb-quiz__feedback");
    var key = quiz.querySelector(".kb-quiz__key");
    var text = quiz.querySelector(".kb-quiz__input");
    var options = all(quiz, ".kb-quiz__option");
    var state = { done: false, tries: 0, revealed: false };
    var history = document.createElement("p");
    history.className = "kb-quiz__history";
    actions.appendChild(history);
    actions.hidden = false;

    function input(option) { return option.querySelector("input"); }
    function isRight(option, n) { return option.getAttribute("data-k") === hash(id + ":" + n + ":1"); }

    function say(message, name) {
      feedback.textContent = message;
      if (name) quiz.setAttribute("data-state", name); else quiz.removeAttribute("data-state");
    }

    function showHistory() {
      var entry = loadProgress()[id];
      history.textContent = entry ? (entry.correct ? TEXT.historyRight : TEXT.historyWrong) : "";
    }

    function announce(correct, first) {
      quiz.dispatchEvent(new CustomEvent("kb-quiz:answer", {
        bubbles: true, detail: { id: id, correct: correct, first: first }
      }));
    }

    // The author's explanation of a wrong option, shown right under it.
    function explain(option, n) {
      if (option.querySelector(".kb-quiz__note")) return;
      var source = quiz.querySelector('.kb-quiz__key [data-kb-option="' + n + '"]');
      if (!source) return;
      var note = document.createElement("div");
      note.className = "kb-quiz__note";
      note.innerHTML = source.innerHTML;
      option.appendChild(note);
    }

    function grade() {
      if (text) {
        var value = normalize(text.value);
        if (!value) { say(TEXT.type, "empty"); return null; }
        return (quiz.getAttribute("data-key") || "").split(" ").indexOf(hash(id + ":" + value)) >= 0;
      }
      var chosen = options.filter(function (option) { return input(option).checked; });
      if (!chosen.length) { say(TEXT.choose, "empty"); return null; }
      var ok = true;
      options.forEach(function (option, n) {
        var picked = input(option).checked;
        option.classList.toggle("is-wrong", picked && !isRight(option, n));
        if (picked !== isRight(option, n)) ok = false;
        if (picked && !isRight(option, n)) explain(option, n);
      });
      return ok;
    }

    function finish() {
      state.done = true;
      options.forEach(function (option, n) {
        if (isRight(option, n)) option.classList.add("is-right");
        input(option).disabled = true;
      });
      if (text) text.readOnly = true;
      var hadFocus = document.activeElement === check;
      check.disabled = true;
      retry.hidden = false;
      if (hadFocus) retry.focus();  // a disabled button would drop keyboard focus to the page
      key.open = true;
    }

    check.addEventListener("click", function () {
      if (state.done) return;
      var ok = grade();
      if (ok === null) return;
      state.tries += 1;
      var first = state.tries === 1 && !state.revealed;
      if (first) record(id, ok);
      if (ok) {
        say(TEXT.correct, "correct");
        finish();
      } else {
        say(text ? TEXT.incorrectShort : TEXT.incorrect, "incorrect");
      }
      history.textContent = "";  // the record of an earlier visit no longer applies
      announce(ok, first);
    });

    if (text) {
      text.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); check.click(); }
      });
    }

    // Opening the answer before answering gives the quiz up.
    key.addEventListener("toggle", function () {
      if (!key.open || state.done || state.revealed) return;
      state.revealed = true;
      if (!state.tries) {
        record(id, false);
        say(TEXT.revealed, "revealed");
        history.textContent = "";
        announce(false, true);
      }
      options.forEach(function (option, n) { if (isRight(option, n)) option.classList.add("is-right"); });
    });

    retry.addEventListener("click", function () {
      forget([id]);
      state = { done: false, tries: 0, revealed: false };
      options.forEach(function (option) {
        option.classList.remove("is-right", "is-wrong");
        input(option).disabled = false;
        input(option).checked = false;
        all(option, ".kb-quiz__note").forEach(function (note) { note.remove(); });
      });
      if (text) { text.readOnly = false; text.value = ""; }
      key.open = false;
      check.disabled = false;
      retry.hidden = true;
      say("", "");
      showHistory();
      var focus = text || (options[0] && input(options[0]));
      if (focus) focus.focus();
    });

    showHistory();
  }

  // A bank chunk (kbgen/study/bank.py): a script that stores its items in window.kbgenBanks[key].
  // Loaded by a <script> element, so it works from file:// as from any server; each chunk once.
  var pendingBanks = {};
  function loadBank(src, key, then) {
    var banks = window.kbgenBanks = window.kbgenBanks || {};
    if (banks[key]) { then(banks[key]); return; }
    if (pendingBanks[key]) { pendingBanks[key].push(then); return; }
    pendingBanks[key] = [then];
    var script = document.createElement("script");
    script.src = src;
    script.onload = script.onerror = function () {
      var waiting = pendingBanks[key];
      delete pendingBanks[key];
      if (!banks[key]) script.remove();  // failed: a later call tries again
      waiting.forEach(function (callback) { callback(banks[key] || null); });
    };
    document.head.appendChild(script);
  }

  // Item i of the bank whose chunks start at prefix and hold size items each.
  function bankItem(prefix, size, i, then) {
    var chunk = Math.floor(i / size);
    loadBank(prefix + chunk + ".js", prefix.slice(prefix.lastIndexOf("/") + 1) + chunk, function (items) {
      then(items ? items[i % size] : null);
    });
  }

  function setupPractice(root) {
    if (root.kbPractice) return;
    root.kbPractice = true;
    // {bank: chunk href prefix, size: items per chunk, tags: [name], quizzes: [[id, [tag index]]]}
    var data = JSON.parse(root.querySelector(".kb-practice__data").textContent);
    var ids = data.quizzes.map(function (quiz) { return quiz[0]; });
    var progress = root.querySelector(".kb-practice__progress");
    var tag = root.querySelector(".kb-practice__tag");
    var shuffle = root.querySelector(".kb-practice__shuffle");
    var start = root.querySelector(".kb-practice__start");
    var reset = root.querySelector(".kb-practice__reset");
    var stage = root.querySelector(".kb-practice__stage");
    var counter = root.querySelector(".kb-practice__counter");
    var slot = root.querySelector(".kb-practice__slot");
    var source = root.querySelector(".kb-practice__source");
    var next = root.querySelector(".kb-practice__next");
    var result = root.querySelector(".kb-practice__result");
    var run = [], at = 0, score = 0, answered = false, showing = 0;
    root.hidden = false;

    function showProgress() {
      var saved = loadProgress(), done = 0, right = 0;
      ids.forEach(function (id) {
        var entry = saved[id];
        if (entry) { done += 1; if (entry.correct) right += 1; }
      });
      progress.textContent = TEXT.progress(ids.length, done, right);
    }

    // Positions in the bank of the quizzes to run.
    function chosen() {
      var wanted = tag.value === "" ? -1 : Number(tag.value);
      var items = [];
      data.quizzes.forEach(function (quiz, i) {
        if (wanted < 0 || quiz[1].indexOf(wanted) >= 0) items.push(i);
      });
      if (shuffle.checked) {
        for (var i = items.length - 1; i > 0; i--) {
          var j = Math.floor(Math.random() * (i + 1));
          var swap = items[i]; items[i] = items[j]; items[j] = swap;
        }
      }
      return items;
    }

    function show(n) {
      at = n;
      answered = false;
      var ticket = ++showing;
      next.disabled = true;
      bankItem(data.bank, data.size, run[n], function (item) {
        if (ticket !== showing) return;  // another quiz was asked for meanwhile
        next.disabled = false;
        slot.textContent = "";
        counter.textContent = TEXT.counter(n + 1, run.length, score);
        next.textContent = TEXT.skip;
        if (!item) return;  // the chunk could not be loaded: skip stays possible
        // [href from the Quizzes page to the quiz in its note, note title, the quiz's HTML]
        var holder = document.createElement("template");
        holder.innerHTML = item[2];
        slot.appendChild(holder.content);
        var quiz = slot.querySelector(".kb-quiz");
        setupQuiz(quiz);
        source.href = item[0];
        source.textContent = TEXT.source + ": " + item[1];
        quiz.setAttribute("tabindex", "-1");
        quiz.focus();
      });
    }

    slot.addEventListener("kb-quiz:answer", function (event) {
      if (answered || !event.detail.first) return;
      answered = true;
      if (event.detail.correct) score += 1;
      counter.textContent = TEXT.counter(at + 1, run.length, score);
      next.textContent = at + 1 < run.length ? TEXT.next : TEXT.last;
      showProgress();
    });

    start.addEventListener("click", function () {
      run = chosen();
      if (!run.length) return;
      score = 0;
      result.hidden = true;
      stage.hidden = false;
      show(0);
    });

    next.addEventListener("click", function () {
      if (at + 1 < run.length) { show(at + 1); return; }
      stage.hidden = true;
      slot.textContent = "";
      result.hidden = false;
      result.textContent = TEXT.result(score, run.length);
      start.textContent = TEXT.again;
      start.focus();
    });

    reset.addEventListener("click", function () {
      forget(ids);
      showProgress();
    });

    showProgress();
  }

  // The review page (review.js) sets up the quizzes it shows.
  window.kbgenQuiz = { setup: setupQuiz, loadBank: loadBank, bankItem: bankItem };

  function init() {
    all(document, ".kb-quiz").forEach(setupQuiz);
    all(document, ".kb-practice").forEach(setupPractice);
  }

  // Material's instant navigation swaps pages without reloading scripts.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
