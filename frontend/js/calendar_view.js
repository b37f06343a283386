// The calendar pages (planning/calendar.html).
//
// - Drag a chip (a task) to another day: SortableJS lists per day ([data-cal-list][data-date]);
//   a drop posts {action: reschedule, task, date, mode, version} to the calendar's own address
//   (#calendar[data-post-url], which carries the view's state) asking for the `calendar-grid`
//   partial, and swaps the grid it answers. A refused move (stale version 409, bad date 422, not
//   allowed 403) puts the chip back where it was and shows the server's message as a toast.
// - Keyboard: ← / k previous, → / j next, t today (not while typing or in a dialog, and not the
//   second key of a "g" sequence of the global shortcuts).
// - Keyboard moves: on a focused chip that may be moved, Alt+← / Alt+→ move it a day earlier /
//   later, Alt+↑ / Alt+↓ a week, through the same reschedule POST as a drop (with the chip's
//   version). The chip goes to its new day at once; a refusal puts it back with the server's
//   message as a toast. The focus stays on the moved chip (in the fresh grid too).
// - A day's "+" fills the quick-add form's date and focuses its title; a successful add clears it.
// - Live: a task.* event ("labora:live", live.js) of the project on screen, or of any project on
//   the workspace calendar (the server sends only what the user may see), re-fetches the grid
//   (one request for a burst of events), never while a chip is held or saving, keeping the scroll.
// CSP-safe: no inline code.
import Sortable from "sortablejs";
import { isTyping, modalOpen } from "./keys.js";
import { csrfToken, toast } from "./requests.js";

const COALESCE_MS = 80;
const BUSY_RETRY_MS = 250;

function busy() {
  return document.querySelector("#calendar .is-chosen, #calendar .is-dragging, #calendar .is-saving") !== null;
}

/** Swap the grid with fresh HTML (a `#calendar-grid` element), keeping the window's scroll. */
function swapGrid(html) {
  const current = document.getElementById("calendar-grid");
  if (!current) return;
  const x = window.scrollX;
  const y = window.scrollY;
  window.htmx.swap(current, html, { swapStyle: "outerHTML", swapDelay: 0, settleDelay: 0 }, { select: "#calendar-grid" });
  window.scrollTo(x, y);
}

function putBack(event) {
  const { item, from, oldIndex } = event;
  const reference = from.children[oldIndex] || null;
  from.insertBefore(item, reference === item ? item.nextSibling : reference);
}

async function onDrop(event) {
  const { item, from, to } = event;
  const date = to.dataset.date;
  if (from === to || !date || date === from.dataset.date) {
    putBack(event);
    return;
  }
  if (!document.getElementById("calendar") || !document.getElementById("calendar-grid")) return;
  item.classList.add("is-saving");
  let answer;
  try {
    answer = await postMove(item, date);
  } catch (error) {
    item.classList.remove("is-saving");
    putBack(event);
    toast("The move could not be saved: the server did not answer. Try again.", "error");
    return;
  }
  item.classList.remove("is-saving");
  if (!answer.ok) {
    putBack(event);
    toast(answer.text || `The move was refused (${answer.status}).`, "error");
    // Stale: the task changed elsewhere; show it as it is now (with its current version).
    if (answer.status === 409) window.dispatchEvent(new CustomEvent("labora:calendar-refresh"));
    return;
  }
  swapGrid(answer.text);
}

const MOVE_DAYS = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };

function addDays(iso, days) {
  const [y, m, d] = iso.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d + days));
  return date.toISOString().slice(0, 10);
}

function focusChip(key) {
  const link = document.querySelector(`#calendar #chip-${CSS.escape(key)} .cal-chip-link`);
  if (link) link.focus({ preventScroll: false });
  return Boolean(link);
}

/** POST a reschedule of `item` to `date`; resolves to {ok, status, text}. */
async function postMove(item, date) {
  const calendar = document.getElementById("calendar");
  const grid = document.getElementById("calendar-grid");
  const body = new FormData();
  body.append("action", "reschedule");
  body.append("task", item.dataset.key);
  body.append("date", date);
  body.append("mode", grid.dataset.mode || "due");
  body.append("version", item.dataset.version || "");
  const response = await fetch(calendar.dataset.postUrl, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true", "HX-Target": "calendar-grid" },
  });
  return { ok: response.ok, status: response.status, text: await response.text() };
}

/** Alt+arrow on a focused chip: move it by a day or a week (see the header). */
async function keyboardMove(item, days) {
  const from = item.dataset.anchor;
  if (!from || busy()) return;
  const date = addDays(from, days);
  const key = item.dataset.key;
  const parent = item.parentNode;
  const next = item.nextSibling;
  // Show it on its new day at once when that day is on screen (a bar spanning days stays put).
  const target = item.classList.contains("cal-bar")
    ? null
    : document.querySelector(`#calendar #day-${date} [data-cal-list]`);
  if (target) {
    target.appendChild(item);
    item.querySelector(".cal-chip-link")?.focus();
  }
  item.classList.add("is-saving");
  let answer;
  try {
    answer = await postMove(item, date);
  } catch (error) {
    answer = { ok: false, status: 0, text: "The move could not be saved: the server did not answer. Try again." };
  }
  item.classList.remove("is-saving");
  if (!answer.ok) {
    if (target) parent.insertBefore(item, next);
    item.querySelector(".cal-chip-link")?.focus();
    toast(answer.text || `The move was refused (${answer.status}).`, "error");
    if (answer.status === 409) {
      const refocus = () => {
        document.removeEventListener("htmx:afterSettle", refocus);
        focusChip(key);
      };
      document.addEventListener("htmx:afterSettle", refocus);
      window.dispatchEvent(new CustomEvent("labora:calendar-refresh"));
    }
    return;
  }
  swapGrid(answer.text);
  const label = new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
  if (focusChip(key)) {
    // Said to screen readers only: a toast per key press would pile up.
    const status = document.getElementById("cal-move-status");
    if (status) status.textContent = `Moved ${key} to ${label}.`;
  } else {
    // Its new day is outside this month or week: say where it went; the focus goes to the title.
    toast(`Moved ${key} to ${label}, outside this ${document.getElementById("calendar-grid")?.dataset.view || "period"}.`, "success");
    const title = document.getElementById("calendar-title");
    if (title) {
      title.setAttribute("tabindex", "-1");
      title.focus();
    }
  }
}

function installMoveKeys() {
  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const days = MOVE_DAYS[event.key];
    if (days === undefined || !document.getElementById("calendar")) return;
    const active = document.activeElement;
    const item = active instanceof Element ? active.closest("#calendar [data-drag]") : null;
    if (!item) return;
    // Alt+←/→ would otherwise go back / forward in the browser's history.
    event.preventDefault();
    keyboardMove(item, days);
  });
}

function bindList(list) {
  if (list.dataset.sortableBound) return;
  list.dataset.sortableBound = "1";
  Sortable.create(list, {
    group: "calendar",
    animation: 120,
    draggable: "[data-drag]",
    filter: "button, input",
    preventOnFilter: false,
    forceFallback: true,
    fallbackTolerance: 4,
    delay: 180,
    delayOnTouchOnly: true,
    ghostClass: "is-ghost",
    chosenClass: "is-chosen",
    dragClass: "is-dragging",
    onEnd: onDrop,
  });
}

function bindAll(root) {
  const scope = root && root.querySelectorAll ? root : document;
  scope.querySelectorAll("#calendar [data-cal-list]").forEach(bindList);
  if (scope.matches && scope.matches("#calendar [data-cal-list]")) bindList(scope);
}

/** The navigation links of the toolbar, clicked by the keyboard shortcuts. */
function installKeys() {
  let afterG = false;
  let timer = null;
  document.addEventListener("keydown", (event) => {
    if (!document.getElementById("calendar")) return;
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return;
    if (isTyping(event) || modalOpen()) return;
    const key = event.key;
    if (key === "g") {
      afterG = true; // "g t" etc. belong to the global shortcuts
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        afterG = false;
      }, 1200);
      return;
    }
    if (afterG) {
      afterG = false;
      return;
    }
    const nav = { ArrowLeft: "prev", k: "prev", ArrowRight: "next", j: "next", t: "today" }[key];
    if (!nav) return;
    // Arrow keys inside the side panel or a focused control keep their usual meaning.
    const panel = document.getElementById("task-panel");
    if (panel && panel.contains(document.activeElement)) return;
    const link = document.querySelector(`#calendar [data-cal-nav="${nav}"]`);
    if (!link) return;
    event.preventDefault();
    link.click();
  });
}

/** "+" on a day: the quick-add form gets that date and the focus. */
function installQuickAdd() {
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-cal-add]") : null;
    if (!button) return;
    const form = document.querySelector("[data-calendar-add]");
    if (!form) return;
    form.querySelector("input[name=date]").value = button.dataset.calAdd;
    const title = form.querySelector("input[name=title]");
    title.focus();
    title.scrollIntoView({ block: "nearest" });
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-calendar-add")) return;
    if (event.detail.successful && !event.detail.xhr.getResponseHeader("HX-Trigger")?.includes('"error"')) {
      form.querySelector("input[name=title]").value = "";
    }
  });
}

function installLiveRefresh() {
  let timer = null;
  function schedule(delay) {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(refresh, delay);
  }
  function refresh() {
    timer = null;
    if (!document.getElementById("calendar-grid")) return;
    if (busy()) {
      schedule(BUSY_RETRY_MS);
      return;
    }
    window.dispatchEvent(new CustomEvent("labora:calendar-refresh"));
  }
  document.addEventListener("labora:live", (event) => {
    const calendar = document.getElementById("calendar");
    if (!calendar) return;
    const message = event.detail || {};
    if (!String(message.event || "").startsWith("task.")) return;
    const project = calendar.dataset.calendarProject;
    const data = message.data || {};
    if (project && message.project !== project && data.from_project !== project) return;
    schedule(COALESCE_MS);
  });
  // Keep the scroll position (and a chip's focus) across the refresh swap.
  let saved = null;
  let focused = null;
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (!event.detail.target || event.detail.target.id !== "calendar-grid") return;
    if (busy()) {
      // A chip was picked up while the refresh was on its way: swapping now would drop it.
      event.detail.shouldSwap = false;
      schedule(BUSY_RETRY_MS);
      return;
    }
    saved = [window.scrollX, window.scrollY];
    // A keyboard user on a chip keeps the focus on that task in the fresh grid.
    const active = document.activeElement;
    const chip = active instanceof Element ? active.closest("#calendar-grid [data-key]") : null;
    focused = chip ? chip.dataset.key : null;
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    if (saved && event.detail.target && event.detail.target.id === "calendar-grid") {
      window.scrollTo(saved[0], saved[1]);
      saved = null;
    }
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    if (!focused || !event.detail.target || event.detail.target.id !== "calendar-grid") return;
    const lost = !document.activeElement || document.activeElement === document.body;
    if (lost) focusChip(focused);
    focused = null;
  });
}

export function installCalendar() {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => bindAll(document));
  else bindAll(document);
  document.addEventListener("htmx:load", (event) => bindAll(event.target));
  installKeys();
  installMoveKeys();
  installQuickAdd();
  installLiveRefresh();
}

export default installCalendar;
