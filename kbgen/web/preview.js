/* Hover previews: hovering (mouse) or keyboard-focusing a link to another note shows,
 * after a short delay, the target's title and opening paragraph — or the linked section
 * or block — fetched from the site itself and cached. Not for unresolved or external
 * links (kbgen marks note links with .kb-link), not on touch. The popover never takes
 * focus, so nothing is trapped; Escape, leaving or blurring the link closes it. */
(function () {
  "use strict";
  var DELAY_MS = 400;
  var MAX_BLOCKS = 4;
  var pages = {};  // page URL → Promise<Document>
  var timer = 0;
  var popover = null;
  var current = null;

  function previewable(link) {
    if (!link || !link.classList.contains("kb-link") || link.classList.contains("kb-attachment")) return false;
    if (link.closest(".kb-preview")) return false;
    var url = new URL(link.href, location.href);
    return url.origin === location.origin && url.href.indexOf(kb.base) === 0;
  }

  function fetchPage(url) {
    if (!pages[url]) {
      pages[url] = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      }).then(function (text) {
        return new DOMParser().parseFromString(text, "text/html");
      });
      pages[url].catch(function () { delete pages[url]; });
    }
    return pages[url];
  }

  // What to show: the linked block, the linked section, or the title and opening paragraph.
  function extract(doc, hash) {
    var article = doc.querySelector("article.md-content__inner") || doc.body;
    var title = article.querySelector("h1");
    var parts = [];
    var target = hash ? article.querySelector("[id=\"" + CSS.escape(decodeURIComponent(hash.slice(1))) + "\"]") : null;
    if (target && /^H[1-6]$/.test(target.tagName)) {
      parts.push(target);
      var level = +target.tagName[1];
      for (var el = target.nextElementSibling; el && parts.length <= MAX_BLOCKS; el = el.nextElementSibling) {
        if (/^H[1-6]$/.test(el.tagName) && +el.tagName[1] <= level) break;
        parts.push(el);
      }
    } else if (target) {
      parts.push(target);
    } else {
      // The dates line and the card count are page furniture, not the note's opening.
      var first = article.querySelector(":scope > p:not(.kb-dates):not(.kb-study-count), :scope > .kb-embed p, :scope > ul, :scope > ol");
      if (first) parts.push(first);
    }
    return { title: title ? title.textContent.replace(/\u00b6$/, "").trim() : doc.title, parts: parts };
  }

  function ensurePopover() {
    if (!popover) {
      popover = document.createElement("div");
      popover.className = "kb-preview md-typeset";
      popover.setAttribute("role", "tooltip");
      popover.id = "kb-preview";
      popover.hidden = true;
      popover.addEventListener("mouseenter", function () { clearTimeout(timer); });
      popover.addEventListener("mouseleave", hide);
    }
    if (!popover.isConnected) document.body.appendChild(popover);
    return popover;
  }

  function place(link) {
    var box = link.getBoundingClientRect();
    var width = Math.min(420, window.innerWidth - 16);
    popover.style.width = width + "px";
    popover.style.left = Math.max(8, Math.min(box.left, window.innerWidth - width - 8)) + window.scrollX + "px";
    var below = box.bottom + 8;
    var height = popover.offsetHeight;
    var top = below + height > window.innerHeight && box.top - height - 8 > 0 ? box.top - height - 8 : below;
    popover.style.top = top + window.scrollY + "px";
  }

  function show(link) {
    var url = new URL(link.href, location.href);
    var page = url.href.split("#")[0];
    ensurePopover();
    current = link;
    fetchPage(page).then(function (doc) {
      if (current !== link) return;
      var found = extract(doc, url.hash);
      popover.textContent = "";
      var heading = document.createElement("p");
      heading.className = "kb-preview-title";
      heading.textContent = found.title;
      popover.appendChild(heading);
      found.parts.forEach(function (el) {
        var copy = document.importNode(el, true);
        // Nothing inside the popover may take focus or run: it is a picture of the target.
        copy.querySelectorAll("a, button, input, select, textarea, [tabindex]").forEach(function (n) {
          n.setAttribute("tabindex", "-1");
        });
        copy.querySelectorAll("[id]").forEach(function (n) { n.removeAttribute("id"); });
        copy.removeAttribute("id");
        popover.appendChild(copy);
      });
      popover.hidden = false;
      link.setAttribute("aria-describedby", popover.id);
      place(link);
    }).catch(function () { /* no preview for a page that cannot be fetched */ });
  }

  function hide() {
    clearTimeout(timer);
    if (current) current.removeAttribute("aria-describedby");
    current = null;
    if (popover) popover.hidden = true;
  }

  function schedule(link) {
    clearTimeout(timer);
    timer = setTimeout(function () { show(link); }, DELAY_MS);
  }

  var touch = window.matchMedia && window.matchMedia("(hover: none)").matches;
  document.addEventListener("pointerover", function (event) {
    if (touch || event.pointerType === "touch" || event.pointerType === "pen") return;
    var link = event.target.closest && event.target.closest("a");
    if (previewable(link)) schedule(link);
  });
  document.addEventListener("pointerout", function (event) {
    var link = event.target.closest && event.target.closest("a");
    if (!link || (event.relatedTarget && link.contains(event.relatedTarget))) return;
    if (event.relatedTarget && popover && popover.contains(event.relatedTarget)) return;
    clearTimeout(timer);
    if (current === link) timer = setTimeout(hide, 200);
  });
  document.addEventListener("focusin", function (event) {
    var link = event.target.closest && event.target.closest("a");
    if (previewable(link) && link.matches(":focus-visible")) schedule(link);
  });
  document.addEventListener("focusout", function () { hide(); });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") hide(); });
  document.addEventListener("pointerdown", function (event) {
    if (!popover || !popover.contains(event.target)) hide();
  });
  // Material's instant navigation swaps the page under us.
  kb.onPage(hide);
})();
