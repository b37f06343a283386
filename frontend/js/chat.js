// Chat pages (labora.chat.views): Enter sends and Shift+Enter adds a line, the composer grows
// with its text, older history loads when scrolled to the top (an HTMX "intersect" sentinel; the
// reading position is kept), new messages arrive live (the "labora:live" events of live.js:
// the message's fragment is fetched and appended, once — the poster's own HTMX answer and the
// live event may come in any order), the read position follows what is on screen, and the
// channel list's unread counts refresh; "@" suggests people and teams (the listbox of
// labora.collaboration's mention endpoint). The sidebar's Chat badge (chat/_nav_badge.html) is
// fetched again when a chat event may change it. No inline code or styles (CSP).
import { csrfToken } from "./requests.js";

const NEAR_BOTTOM_PX = 120;
const LIST_REFRESH_MS = 400;

function conversation() {
  return document.querySelector("[data-chat-conversation]");
}

function scroller() {
  return document.querySelector("[data-chat-scroll]");
}

function nearBottom(box) {
  return box.scrollHeight - box.scrollTop - box.clientHeight < NEAR_BOTTOM_PX;
}

function toBottom(box) {
  box.scrollTop = box.scrollHeight;
}

/** The newest message on screen written by someone else (one's own posts move one's read
 * position on the server already). */
function newestFromOthers(conv) {
  const items = document.querySelectorAll("#chat-messages [data-message-id]");
  let newest = 0;
  for (const item of items) {
    if (item.dataset.author === conv.dataset.me) continue;
    newest = Math.max(newest, Number(item.dataset.messageId) || 0);
  }
  return newest;
}

const READ_DELAY_MS = 300;
let readPending = false;
let readTimer = null;

/** Tell the server we read up to the newest message on screen (when the tab is visible),
 * once a burst of arrivals has settled. */
function markRead() {
  if (readTimer) window.clearTimeout(readTimer);
  readTimer = window.setTimeout(sendRead, READ_DELAY_MS);
}

function sendRead() {
  readTimer = null;
  const conv = conversation();
  if (!conv || document.visibilityState !== "visible") return;
  if (readPending) {
    markRead(); // after the one in flight
    return;
  }
  const newest = newestFromOthers(conv);
  if (!newest || newest <= Number(conv.dataset.lastRead || 0)) return;
  readPending = true;
  const body = new FormData();
  body.append("message", String(newest));
  fetch(conv.dataset.readUrl, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken() },
  })
    .then((response) => {
      if (!response.ok) return;
      conv.dataset.lastRead = String(Math.max(newest, Number(conv.dataset.lastRead || 0)));
      refreshList(); // the channel is no longer bold
      refreshBadge(0); // nor counted in the sidebar
    })
    .catch(() => {})
    .finally(() => {
      readPending = false;
    });
}

let listTimer = null;

function refreshList() {
  const page = document.querySelector("[data-chat-page]");
  if (!page || !document.getElementById("chat-channels") || !window.htmx) return;
  if (listTimer) window.clearTimeout(listTimer);
  listTimer = window.setTimeout(() => {
    listTimer = null;
    window.htmx.ajax("GET", page.dataset.listUrl, { target: "#chat-channels", swap: "outerHTML" });
  }, LIST_REFRESH_MS);
}

function messageUrl(conv, id) {
  return conv.dataset.messageUrl.replace(/\/m\/1\/$/, `/m/${id}/`);
}

/** Fetch one message's fragment and add it (posted) or replace it (edited). */
async function fetchMessage(conv, id, replace) {
  const existing = document.getElementById(`msg-${id}`);
  if (existing && (!replace || existing.classList.contains("is-editing"))) return;
  let html;
  try {
    const response = await fetch(messageUrl(conv, id), {
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    });
    if (!response.ok) return;
    html = await response.text();
  } catch (error) {
    return;
  }
  const list = document.getElementById("chat-messages");
  const box = scroller();
  if (!list || conversation() !== conv) return;
  const stick = box ? nearBottom(box) : false;
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const item = template.content.firstElementChild;
  if (!item) return;
  const now = document.getElementById(`msg-${id}`);
  if (now) {
    if (!replace) return; // appended meanwhile by the poster's own answer
    now.replaceWith(item);
  } else {
    if (replace) return; // an edit of a message not on screen (older history)
    list.append(item);
  }
  if (window.htmx) window.htmx.process(item);
  if (box && stick) toBottom(box);
  markRead();
}

// --- the sidebar's Chat badge (chat/_nav_item.html, _nav_badge.html) ---------------------------
// Fetched again (one cheap request, after a short and slightly random pause so a burst of
// messages, or many readers of one channel, do not all ask at once) when an event may change it.

const BADGE_DELAY_MS = 400;
const BADGE_JITTER_MS = 400;
const BADGE_EVENTS = new Set([
  "chat.message_posted",
  "chat.message_deleted",
  "chat.channel_read",
  "chat.channel_muted",
  "chat.channel_unmuted",
]);
let badgeTimer = null;

function badge() {
  return document.querySelector("[data-chat-unread]");
}

export function refreshBadge(delay = BADGE_DELAY_MS + Math.random() * BADGE_JITTER_MS) {
  if (!badge()) return;
  if (badgeTimer) window.clearTimeout(badgeTimer);
  badgeTimer = window.setTimeout(async () => {
    badgeTimer = null;
    const current = badge();
    if (!current || !current.dataset.url) return;
    let html;
    try {
      const response = await fetch(current.dataset.url, {
        credentials: "same-origin",
        headers: { "HX-Request": "true" },
      });
      if (!response.ok) return;
      html = await response.text();
    } catch (error) {
      return;
    }
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const fresh = template.content.querySelector("[data-chat-unread]");
    const now = badge();
    if (fresh && now) now.replaceWith(fresh);
  }, delay);
}

function badgeFollows(name, message, conv) {
  if (!BADGE_EVENTS.has(name)) return;
  const data = message.data || {};
  const mine = badge();
  const actor = message.actor && message.actor.id;
  if (name === "chat.message_posted" && mine && actor && actor === mine.dataset.me) return; // never unread
  // A message arriving in the conversation on screen is read at once (sendRead): its
  // chat.channel_read follows and refreshes the badge then, without a "1" flashing meanwhile.
  const onScreen = conv && data.channel === conv.dataset.chatConversation && document.visibilityState === "visible";
  if (name === "chat.message_posted" && onScreen) return;
  refreshBadge();
}

function onLive(event) {
  const message = event.detail || {};
  const name = String(message.event || "");
  if (!name.startsWith("chat.")) return;
  const data = message.data || {};
  const conv = conversation();
  badgeFollows(name, message, conv);
  if (conv && data.channel === conv.dataset.chatConversation) {
    // The open conversation: its unread count is settled by the read position, which refreshes
    // the list once it is stored (sendRead); one request at a time from this page.
    if (name === "chat.message_posted") fetchMessage(conv, data.message, false);
    else if (name === "chat.message_edited") fetchMessage(conv, data.message, true);
    else if (name === "chat.message_deleted") {
      const gone = document.getElementById(`msg-${data.message}`);
      if (gone) gone.remove();
    } else if (name === "chat.channel_read" && Number(data.message) > Number(conv.dataset.lastRead || 0)) {
      refreshList(); // read in another tab of ours
    }
    return;
  }
  if (name !== "chat.message_edited") refreshList();
}

// --- @-mention suggestions: the listbox of labora.collaboration's /w/<ws>/mentions/ ---------

const MENTION_BEFORE_CARET = /(^|[^\w@./+-])@([\w.+-]{0,40})$/;
const SUGGEST_DELAY_MS = 120;
const suggestion = { field: null, list: null, token: null, timer: null, ticket: 0 };

function suggestionList(field) {
  const host = field.closest(".chat-composer-field") || field.parentElement;
  let list = host.querySelector(".mention-list");
  if (!list) {
    list = document.createElement("ul");
    list.className = "mention-list chat-mentions";
    list.id = `${field.id}-mentions`;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People and teams to mention");
    list.hidden = true;
    host.append(list);
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", list.id);
    field.setAttribute("aria-expanded", "false");
  }
  return list;
}

function suggestionOptions() {
  return suggestion.list ? Array.from(suggestion.list.querySelectorAll("[role='option']")) : [];
}

function closeSuggestions() {
  if (suggestion.list) {
    suggestion.list.hidden = true;
    suggestion.list.replaceChildren();
  }
  if (suggestion.field) {
    suggestion.field.setAttribute("aria-expanded", "false");
    suggestion.field.removeAttribute("aria-activedescendant");
  }
  suggestion.token = null;
}

function highlight(index) {
  const all = suggestionOptions();
  if (!all.length) return;
  const next = (index + all.length) % all.length;
  all.forEach((option, i) => option.setAttribute("aria-selected", String(i === next)));
  all[next].scrollIntoView({ block: "nearest" });
  suggestion.field.setAttribute("aria-activedescendant", all[next].id);
}

function pick(option) {
  const field = suggestion.field;
  if (!field || !option || suggestion.token === null) return;
  const caret = field.selectionStart;
  field.setRangeText(`@${option.dataset.insert} `, caret - suggestion.token.length - 1, caret, "end");
  closeSuggestions();
  field.focus();
}

function suggest(field) {
  const conv = field.closest("[data-mentions-url]");
  const caret = field.selectionStart;
  const match =
    conv && caret === field.selectionEnd ? MENTION_BEFORE_CARET.exec(field.value.slice(0, caret)) : null;
  if (!match) {
    closeSuggestions();
    return;
  }
  suggestion.field = field;
  suggestion.list = suggestionList(field);
  suggestion.token = match[2];
  window.clearTimeout(suggestion.timer);
  const ticket = ++suggestion.ticket;
  suggestion.timer = window.setTimeout(async () => {
    const separator = conv.dataset.mentionsUrl.includes("?") ? "&" : "?";
    let html;
    try {
      const url = `${conv.dataset.mentionsUrl}${separator}q=${encodeURIComponent(match[2])}`;
      const response = await fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" });
      if (!response.ok) return;
      html = await response.text();
    } catch (error) {
      return;
    }
    if (ticket !== suggestion.ticket || suggestion.token === null) return;
    suggestion.list.innerHTML = html;
    suggestion.list.hidden = false;
    field.setAttribute("aria-expanded", "true");
    if (suggestionOptions().length) highlight(0);
  }, SUGGEST_DELAY_MS);
}

/** Arrow keys, Enter/Tab and Escape while the suggestions are open; true when handled. */
function onSuggestionKeydown(event) {
  if (!suggestion.list || suggestion.list.hidden || event.target !== suggestion.field) return false;
  const all = suggestionOptions();
  const current = all.findIndex((o) => o.getAttribute("aria-selected") === "true");
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    highlight(current + (event.key === "ArrowDown" ? 1 : -1));
    return true;
  }
  if ((event.key === "Enter" || event.key === "Tab") && all.length && !event.shiftKey) {
    event.preventDefault();
    pick(all[Math.max(0, current)]);
    return true;
  }
  if (event.key === "Escape") {
    event.preventDefault();
    event.stopPropagation();
    closeSuggestions();
    return true;
  }
  return false;
}

function onKeydown(event) {
  const input = event.target;
  if (!(input instanceof HTMLTextAreaElement)) return;
  if (!input.matches("[data-chat-input], [data-chat-edit-input]")) return;
  if (onSuggestionKeydown(event)) return;
  if (event.key !== "Enter" || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey || event.isComposing) {
    return;
  }
  event.preventDefault();
  if (input.value.trim() && input.form) input.form.requestSubmit();
}

function grow(input) {
  const lines = input.value.split("\n").length;
  input.rows = Math.min(8, Math.max(1, lines));
}

let olderScroll = null; // {box, fromBottom} while an older page is being swapped in

function onBeforeSwap(event) {
  const detail = event.detail;
  const source = detail.requestConfig && detail.requestConfig.elt;
  if (source && source.matches && source.matches("[data-chat-composer]")) {
    const id = detail.xhr && detail.xhr.getResponseHeader("X-Chat-Message");
    if (id && document.getElementById(`msg-${id}`)) detail.shouldSwap = false; // live was first
  }
  if (detail.target && detail.target.matches && detail.target.matches("[data-chat-older]")) {
    const box = scroller();
    if (box) olderScroll = { box, fromBottom: box.scrollHeight - box.scrollTop };
  }
}

function onAfterRequest(event) {
  const source = event.detail.elt;
  if (!source || !source.matches || !source.matches("[data-chat-composer]") || !event.detail.successful) return;
  closeSuggestions();
  // The server moved our read position to the message we just posted.
  const conv = conversation();
  const posted = Number(event.detail.xhr && event.detail.xhr.getResponseHeader("X-Chat-Message"));
  if (conv && posted > Number(conv.dataset.lastRead || 0)) conv.dataset.lastRead = String(posted);
  const input = source.querySelector("[data-chat-input]");
  if (input) {
    input.value = "";
    grow(input);
    input.focus();
  }
  const box = scroller();
  if (box) toBottom(box);
  markRead();
}

function onAfterSettle() {
  if (olderScroll) {
    const { box, fromBottom } = olderScroll;
    olderScroll = null;
    box.scrollTop = box.scrollHeight - fromBottom;
  }
}

function onFilter(event) {
  const input = event.target;
  if (!input.matches || !input.matches("[data-chat-filter]")) return;
  const query = input.value.trim().toLowerCase();
  for (const person of document.querySelectorAll("[data-chat-person]")) {
    person.hidden = Boolean(query) && !person.dataset.chatPerson.includes(query);
  }
}

function openConversation() {
  const box = scroller();
  if (!box) return;
  const marker = document.getElementById("chat-new-marker");
  if (marker) box.scrollTop = Math.max(0, marker.offsetTop - 24); // .chat-scroll is positioned
  else toBottom(box);
  markRead();
}

export function installChat() {
  document.addEventListener("labora:live", onLive);
  document.addEventListener("keydown", onKeydown);
  document.addEventListener("input", (event) => {
    if (event.target.matches && event.target.matches("[data-chat-input]")) grow(event.target);
    if (event.target.matches && event.target.matches("[data-chat-input], [data-chat-edit-input]")) {
      suggest(event.target);
    }
    onFilter(event);
  });
  document.addEventListener("click", (event) => {
    const option = event.target instanceof Element ? event.target.closest(".chat-mentions [role='option']") : null;
    if (option) {
      event.preventDefault();
      pick(option);
    } else if (suggestion.list && !suggestion.list.hidden && event.target !== suggestion.field) {
      closeSuggestions();
    }
  });
  document.addEventListener("mousedown", (event) => {
    // The option under the pointer must not take the focus from the textarea.
    if (event.target instanceof Element && event.target.closest(".chat-mentions")) event.preventDefault();
  });
  document.addEventListener("htmx:beforeSwap", onBeforeSwap);
  document.addEventListener("htmx:afterRequest", onAfterRequest);
  document.addEventListener("htmx:afterSettle", onAfterSettle);
  document.addEventListener("visibilitychange", markRead);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", openConversation);
  else openConversation();
}

export default installChat;
