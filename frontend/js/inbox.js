// Notifications in the page: the bell's unread count (layouts/app.html, notifications/_bell.html)
// and the inbox list (notifications/inbox.html, Alpine component "inbox").
//
// - A push for this user (live.subscribers.send_to_user → DOM event "labora:live-user") with a
//   `notification` updates the bell at once and, on the inbox page, reloads the list.
// - HTMX actions answer with HX-Trigger {"labora:inbox-count": {"unread": n}}: the bell follows.
// - Inbox keys: j / k move, Enter opens, e archives (or un-archives), u toggles read/unread.
//   Ignored while typing in a field or when a dialog is open.
import { isTyping, modalOpen } from "./keys.js";

function setBell(unread) {
  const count = Number(unread) || 0;
  document.querySelectorAll("[data-inbox-count]").forEach((badge) => {
    badge.hidden = count === 0;
    badge.replaceChildren(document.createTextNode(count > 99 ? "99+" : String(count)));
    const sr = document.createElement("span");
    sr.className = "sr-only";
    sr.textContent = " unread"; // the link reads "Inbox 3 unread"
    badge.append(sr);
  });
}

function currentWorkspace() {
  const root = document.querySelector("[data-live-workspace]");
  return root ? root.dataset.liveWorkspace : null;
}

document.addEventListener("labora:live-user", (event) => {
  const detail = event.detail || {};
  if (!detail.notification) return;
  if (detail.workspace && detail.workspace !== currentWorkspace()) return;
  setBell(detail.unread);
  document.dispatchEvent(new CustomEvent("labora:inbox-new", { detail }));
});

document.addEventListener("labora:inbox-count", (event) => {
  setBell((event.detail || {}).unread);
});

// A reloaded inbox list (live, a filter, a page) carries the unread count: the bell follows.
document.addEventListener("htmx:afterSettle", (event) => {
  const list = document.getElementById("inbox-list");
  if (list && event.target && event.target.id === "inbox-list" && list.dataset.unread !== undefined) {
    setBell(list.dataset.unread);
  }
});

function inbox() {
  return {
    current: -1,

    init() {
      this.onNew = () => this.reload();
      document.addEventListener("labora:inbox-new", this.onNew);
    },

    destroy() {
      document.removeEventListener("labora:inbox-new", this.onNew);
    },

    reload() {
      if (!window.htmx || !document.getElementById("inbox-list")) return;
      // Only the first page shows what is new; a later page stays where the reader is. The
      // address bar holds the current filter (the filter form pushes it).
      const params = new URLSearchParams(window.location.search);
      if (Number(params.get("page") || 1) > 1) return;
      const url = window.location.pathname + window.location.search;
      window.htmx.ajax("GET", url, { target: "#inbox-list", swap: "outerHTML" });
    },

    rows() {
      return Array.from(document.querySelectorAll("#inbox-list [data-inbox-item]"));
    },

    currentIndex(rows) {
      const active = document.activeElement;
      const row = active && active.closest ? active.closest("[data-inbox-item]") : null;
      const index = row ? rows.indexOf(row) : -1;
      return index >= 0 ? index : Math.min(this.current, rows.length - 1);
    },

    move(step) {
      const rows = this.rows();
      if (!rows.length) return;
      const from = this.currentIndex(rows);
      const next = from < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, from + step));
      this.focusRow(rows, next);
    },

    focusRow(rows, index) {
      if (index < 0 || !rows[index]) return;
      this.current = index;
      const link = rows[index].querySelector("[data-inbox-link]");
      if (link) {
        link.focus();
        rows[index].scrollIntoView({ block: "nearest" });
      }
    },

    press(action) {
      const rows = this.rows();
      const index = this.currentIndex(rows);
      if (index < 0) return;
      const button = rows[index].querySelector(`[data-action="${action}"]`);
      if (!button) return;
      const id = rows[index].id;
      const after = () => {
        // Keep the focus on the same row after the swap, or on the one that took its place.
        const fresh = this.rows();
        const same = fresh.findIndex((row) => row.id === id);
        this.focusRow(fresh, same >= 0 ? same : Math.min(index, fresh.length - 1));
      };
      document.body.addEventListener("htmx:afterSettle", after, { once: true });
      button.click();
    },

    onKeydown(event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event) || modalOpen()) return;
      if (event.key === "j") {
        event.preventDefault();
        this.move(1);
      } else if (event.key === "k") {
        event.preventDefault();
        this.move(-1);
      } else if (event.key === "e") {
        event.preventDefault();
        this.press("archive");
      } else if (event.key === "u") {
        event.preventDefault();
        this.press("toggle-read");
      }
    },
  };
}

document.addEventListener("alpine:init", () => {
  window.Alpine.data("inbox", inbox);
});

export default inbox;
