// Comments (collaboration/_comments.html): reply and edit forms, revision history, Ctrl/Cmd+Enter
// to send, @-mention suggestions, task reference hover cards, and live refresh of the threads.
//
// Everything is delegated from `document`, so sections loaded later by HTMX (the task page loads
// its comments lazily; the side panel loads whole task pages) work without setup. The server
// renders all markup; this module only toggles `hidden`, fetches HTML fragments and puts them in.
//
// Live: a "labora:live" comment.* / reaction.* event about the task or project on screen
// re-fetches only #comment-threads (?part=threads). The composer sits outside it, so its text is
// never lost; while someone types in a reply or edit form inside the threads, the refresh waits
// until the focus leaves it.

const MENTION_BEFORE_CARET = /(^|[^\w@./+-])@([\w.+-]{0,40})$/;
const SUGGEST_DELAY_MS = 120;
const CARD_DELAY_MS = 250;
const LIVE_COALESCE_MS = 80;

function section() {
  return document.querySelector("[data-comments]");
}

function toggleForm(button, show) {
  const form = document.getElementById(button.dataset.form);
  if (!form) return;
  form.hidden = !show;
  button.setAttribute("aria-expanded", String(show));
  if (button.dataset.commentAction === "edit") {
    const body = form.closest(".comment-main")?.querySelector(".comment-body");
    if (body) body.hidden = show;
  }
  if (show) {
    const field = form.querySelector("textarea");
    if (field) {
      field.focus();
      field.setSelectionRange(field.value.length, field.value.length);
    }
  }
}

function cancelForm(form) {
  form.reset();
  form.hidden = true;
  const opener = document.querySelector(`[data-form="${CSS.escape(form.id)}"]`);
  if (opener) {
    opener.setAttribute("aria-expanded", "false");
    const body = form.closest(".comment-main")?.querySelector(".comment-body");
    if (body) body.hidden = false;
    opener.focus();
  }
}

async function toggleHistory(button) {
  const id = button.getAttribute("aria-controls");
  const box = document.getElementById(id);
  if (!box) return;
  if (button.getAttribute("aria-expanded") === "true") {
    box.hidden = true;
    button.setAttribute("aria-expanded", "false");
    return;
  }
  const response = await fetch(button.dataset.url, { headers: { "HX-Request": "true" } });
  if (!response.ok) return;
  const html = await response.text();
  // The threads may have been refreshed meanwhile (live): look the elements up again.
  const freshBox = document.getElementById(id);
  const freshButton = document.querySelector(`[aria-controls="${CSS.escape(id)}"]`);
  if (!freshBox) return;
  freshBox.innerHTML = html;
  freshBox.hidden = false;
  if (freshButton) freshButton.setAttribute("aria-expanded", "true");
}

// --- @-mention suggestions ------------------------------------------------------------------

const mention = { field: null, list: null, timer: null, token: null, request: 0 };

function listFor(field) {
  const host = field.closest(".mention-host") || field.parentElement;
  let list = host.querySelector(".mention-list");
  if (!list) {
    list = document.createElement("ul");
    list.className = "mention-list";
    list.id = `${field.id}-mentions`;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People and teams to mention");
    list.hidden = true;
    host.append(list);
    field.setAttribute("role", "combobox");
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", list.id);
    field.setAttribute("aria-expanded", "false");
  }
  return list;
}

function closeMentions() {
  if (mention.list) {
    mention.list.hidden = true;
    mention.list.replaceChildren();
  }
  if (mention.field) {
    mention.field.setAttribute("aria-expanded", "false");
    mention.field.removeAttribute("aria-activedescendant");
  }
  mention.token = null;
}

function options() {
  return mention.list ? Array.from(mention.list.querySelectorAll("[role='option']")) : [];
}

function activate(index) {
  const all = options();
  if (!all.length) return;
  const next = (index + all.length) % all.length;
  all.forEach((option, i) => option.setAttribute("aria-selected", String(i === next)));
  all[next].scrollIntoView({ block: "nearest" });
  mention.field.setAttribute("aria-activedescendant", all[next].id);
}

function activeIndex() {
  return options().findIndex((o) => o.getAttribute("aria-selected") === "true");
}

function choose(option) {
  const field = mention.field;
  if (!field || !option || mention.token === null) return;
  const caret = field.selectionStart;
  const start = caret - mention.token.length - 1; // the "@"
  const insert = `@${option.dataset.insert} `;
  field.setRangeText(insert, start, caret, "end");
  closeMentions();
  field.focus();
}

function suggest(field) {
  const caret = field.selectionStart;
  const match = field.selectionStart === field.selectionEnd ? MENTION_BEFORE_CARET.exec(field.value.slice(0, caret)) : null;
  if (!match) {
    closeMentions();
    return;
  }
  const root = field.closest("[data-comments]");
  if (!root) return;
  mention.field = field;
  mention.list = listFor(field);
  mention.token = match[2];
  window.clearTimeout(mention.timer);
  const ticket = ++mention.request;
  mention.timer = window.setTimeout(async () => {
    const url = `${root.dataset.mentionsUrl}&q=${encodeURIComponent(match[2])}`;
    const response = await fetch(url, { headers: { "HX-Request": "true" } });
    if (!response.ok || ticket !== mention.request || mention.token === null) return;
    mention.list.innerHTML = await response.text();
    mention.list.hidden = false;
    field.setAttribute("aria-expanded", "true");
    if (options().length) activate(0);
  }, SUGGEST_DELAY_MS);
}

function onMentionKeydown(event) {
  if (!mention.list || mention.list.hidden || event.target !== mention.field) return false;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    activate(activeIndex() + (event.key === "ArrowDown" ? 1 : -1));
    return true;
  }
  if ((event.key === "Enter" || event.key === "Tab") && !event.ctrlKey && !event.metaKey && options().length) {
    event.preventDefault();
    choose(options()[Math.max(0, activeIndex())]);
    return true;
  }
  if (event.key === "Escape") {
    event.preventDefault();
    event.stopPropagation(); // not the side panel's Escape
    closeMentions();
    return true;
  }
  return false;
}

// --- task reference hover cards -------------------------------------------------------------

const cards = new Map(); // key -> Promise<html | null>

function cardHtml(root, key) {
  if (!cards.has(key)) {
    const url = root.dataset.cardUrl.replace("__KEY__", encodeURIComponent(key));
    cards.set(
      key,
      fetch(url, { headers: { "HX-Request": "true" } }).then((r) => (r.ok ? r.text() : null)),
    );
  }
  return cards.get(key);
}

function showCard(link) {
  const root = link.closest("[data-comments]");
  if (!root || link.querySelector(".ref-card")) return;
  link.dataset.cardWanted = "1";
  window.setTimeout(async () => {
    if (link.dataset.cardWanted !== "1") return;
    const html = await cardHtml(root, link.dataset.taskRef);
    if (!html || link.dataset.cardWanted !== "1" || link.querySelector(".ref-card")) return;
    const card = document.createElement("span");
    card.className = "ref-card";
    card.id = `ref-card-${link.dataset.taskRef}-${Math.random().toString(36).slice(2, 7)}`;
    card.setAttribute("role", "tooltip");
    card.innerHTML = html;
    link.append(card);
    link.setAttribute("aria-describedby", card.id);
  }, CARD_DELAY_MS);
}

function hideCard(link) {
  delete link.dataset.cardWanted;
  const card = link.querySelector(".ref-card");
  if (card) card.remove();
  link.removeAttribute("aria-describedby");
}

// --- live refresh ---------------------------------------------------------------------------

function typingInThreads() {
  const active = document.activeElement;
  const threads = document.getElementById("comment-threads");
  if (!active || !threads || !threads.contains(active) || !active.matches("textarea, input")) return null;
  return active.value !== active.defaultValue ? active : null;
}

function isThreadsWrite(detail) {
  const config = detail && detail.requestConfig;
  return Boolean(config && config.verb === "post" && detail.target && detail.target.id === "comment-threads");
}

function installLiveRefresh() {
  let timer = null;
  let seq = 0; // orders requests: a refresh that started before a write must not undo it
  let lastWrite = 0;
  let writing = 0;
  let inFlight = false;
  let again = false;
  let waiting = false;

  document.addEventListener("htmx:beforeRequest", (event) => {
    if (!isThreadsWrite(event.detail)) return;
    writing += 1;
    lastWrite = ++seq;
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    if (isThreadsWrite(event.detail)) writing = Math.max(0, writing - 1);
  });

  function apply(text) {
    const threads = document.getElementById("comment-threads");
    if (!threads) return;
    // What the viewer has open in the threads survives the swap: reply and edit forms (with
    // their text), revision histories, the focus and the caret.
    const forms = Array.from(threads.querySelectorAll(".comment-form:not([hidden])")).map((form) => {
      const field = form.querySelector("textarea");
      return [form.id, field ? field.value : null];
    });
    const histories = Array.from(threads.querySelectorAll(".comment-history:not([hidden])")).map((box) => [
      box.id,
      box.innerHTML,
    ]);
    const active = document.activeElement && threads.contains(document.activeElement) ? document.activeElement : null;
    const focused = active ? active.id : "";
    const caret = active && "selectionStart" in active ? [active.selectionStart, active.selectionEnd] : null;
    window.htmx.swap(threads, text, { swapStyle: "outerHTML", swapDelay: 0, settleDelay: 0 });
    for (const [id, value] of forms) {
      const opener = document.querySelector(`[data-form="${CSS.escape(id)}"]`);
      const form = document.getElementById(id);
      if (!opener || !form) continue;
      toggleForm(opener, true);
      const field = form.querySelector("textarea");
      if (field && value !== null) field.value = value;
    }
    for (const [id, html] of histories) {
      const box = document.getElementById(id);
      const button = document.querySelector(`[aria-controls="${CSS.escape(id)}"]`);
      if (!box) continue;
      box.innerHTML = html;
      box.hidden = false;
      if (button) button.setAttribute("aria-expanded", "true");
    }
    const again = focused && document.getElementById(focused);
    if (again) {
      again.focus();
      if (caret && "setSelectionRange" in again) again.setSelectionRange(caret[0], caret[1]);
    }
  }

  function refresh() {
    timer = null;
    const root = section();
    const threads = document.getElementById("comment-threads");
    if (!root || !threads || !window.htmx) return;
    if (writing) {
      schedule(200); // our own post answers with fresh threads; look again after it
      return;
    }
    const field = typingInThreads();
    if (field) {
      if (!waiting) {
        waiting = true;
        field.addEventListener(
          "focusout",
          () => {
            waiting = false;
            schedule();
          },
          { once: true },
        );
      }
      return;
    }
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const mine = ++seq;
    window.htmx
      .ajax("GET", `${root.dataset.commentsUrl}?part=threads`, {
        source: threads,
        target: threads,
        handler: (element, info) => {
          if (lastWrite > mine) {
            again = true; // a write happened meanwhile: this answer may predate it
            return;
          }
          if (info.xhr.status === 200) apply(info.xhr.responseText);
        },
      })
      .catch(() => {})
      .finally(() => {
        inFlight = false;
        if (again) {
          again = false;
          schedule();
        }
      });
  }

  function schedule(delay = LIVE_COALESCE_MS) {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(refresh, delay);
  }

  document.addEventListener("labora:live", (event) => {
    const message = event.detail || {};
    const name = String(message.event || "");
    if (!name.startsWith("comment.") && !name.startsWith("reaction.")) return;
    const root = section();
    if (!root) return;
    const data = message.data || {};
    const task = message.task || data.task || "";
    const project = message.project || data.project || "";
    const ours = root.dataset.task ? task === root.dataset.task : project === root.dataset.project && !task;
    if (ours) schedule();
  });
}

// --- install --------------------------------------------------------------------------------

export function installComments() {
  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const option = target.closest(".mention-option[role='option']");
    if (option && mention.list && mention.list.contains(option)) {
      event.preventDefault();
      choose(option);
      return;
    }
    const button = target.closest("[data-comment-action]");
    if (!button) {
      if (mention.list && !mention.list.hidden && target !== mention.field) closeMentions();
      return;
    }
    const action = button.dataset.commentAction;
    if (action === "reply" || action === "edit") {
      const form = document.getElementById(button.dataset.form);
      toggleForm(button, form ? form.hidden : false);
    } else if (action === "cancel") {
      const form = button.closest("form");
      if (form) cancelForm(form);
    } else if (action === "history") {
      toggleHistory(button);
    }
  });

  // The option under the pointer must not take the focus from the textarea.
  document.addEventListener("mousedown", (event) => {
    if (event.target instanceof Element && event.target.closest(".mention-option")) event.preventDefault();
  });

  document.addEventListener("keydown", (event) => {
    const field = event.target;
    if (!(field instanceof HTMLTextAreaElement) || !field.closest(".comment-form")) return;
    if (onMentionKeydown(event)) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      const form = field.form;
      if (form && field.value.trim()) form.requestSubmit();
    } else if (event.key === "Escape" && !field.closest(".comment-composer")) {
      event.stopPropagation();
      cancelForm(field.form);
    }
  });

  document.addEventListener("input", (event) => {
    const field = event.target;
    if (field instanceof HTMLTextAreaElement && field.hasAttribute("data-mentions")) suggest(field);
  });

  document.addEventListener("focusout", (event) => {
    if (event.target === mention.field) window.setTimeout(() => {
      if (document.activeElement !== mention.field) closeMentions();
    }, 150);
  });

  // After a successful post the server answers HX-Trigger: labora:comments-saved (on the form).
  document.addEventListener("labora:comments-saved", (event) => {
    const form = event.target instanceof Element ? event.target.closest("form") : null;
    if (form && form.matches("[data-comment-composer]")) {
      form.reset();
      const field = form.querySelector("textarea");
      if (field) field.focus();
    }
  });

  for (const [type, show] of [
    ["mouseover", true],
    ["focusin", true],
    ["mouseout", false],
    ["focusout", false],
  ]) {
    document.addEventListener(type, (event) => {
      const link = event.target instanceof Element ? event.target.closest("a.task-ref[data-task-ref]") : null;
      if (!link) return;
      if (!show && event.relatedTarget instanceof Node && link.contains(event.relatedTarget)) return;
      if (show) showCard(link);
      else hideCard(link);
    });
  }

  installLiveRefresh();
}

export default installComments;
