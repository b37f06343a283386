// The project board (work/board.html): cards are dragged between columns with SortableJS.
// A column stands for a status (data-status), an assignee (data-assignee, "" = unassigned) or a
// priority (data-priority); a swimlane for an assignee (data-lane + data-assignee). A drop posts
// {before, after, version} plus what the target column (and, across lanes, the lane) stands for
// to the card's data-move-url; the server answers the re-rendered card, or 422 with the reason
// (workflow, WIP limit, stale version): the card then goes back where it was and the reason is
// shown as a toast. CSP-safe: no inline code.
import Sortable from "sortablejs";
import { csrfToken, toast } from "./requests.js";

function plusCount(element, delta) {
  const count = Math.max(0, (Number.parseInt(element.textContent, 10) || 0) + delta);
  return count;
}

/** A card left (`delta` -1) or joined (+1) `list`: update the "n / limit" count and full state
 * of its column (with swimlanes, the status header above every lane) and its lane's count. The
 * counts are the column's true totals (a long column shows only its first cards), so they are
 * shifted, not recounted from the cards on the page. */
function shift(list, delta) {
  if (!list || !delta) return;
  const inLane = list.dataset.lane !== undefined;
  const columns = inLane
    ? Array.from(document.querySelectorAll(`[data-board-column][data-status="${CSS.escape(list.dataset.status)}"]`))
    : [list.closest("[data-board-column]")].filter(Boolean);
  columns.forEach((column) => {
    const badge = column.querySelector("[data-board-count]");
    if (!badge) return;
    const limit = Number(column.dataset.wipLimit || 0);
    const count = plusCount(badge, delta);
    const full = limit > 0 && count >= limit;
    badge.textContent = limit > 0 ? `${count} / ${limit}` : String(count);
    badge.title = limit > 0 ? `${count} of at most ${limit} tasks (WIP limit)` : `${count} task${count === 1 ? "" : "s"}`;
    badge.classList.toggle("is-full", full);
    column.classList.toggle("is-full", full);
  });
  if (inLane) {
    const laneCount = document.getElementById(`lane-count-${list.dataset.lane}`);
    if (laneCount) laneCount.textContent = String(plusCount(laneCount, delta));
  }
}

function putBack(event) {
  const { item, from, to, oldIndex } = event;
  const reference = from.children[oldIndex] || null;
  from.insertBefore(item, reference === item ? item.nextSibling : reference);
  if (from !== to) {
    shift(to, -1);
    shift(from, 1);
  }
}

async function onDrop(event) {
  const { item, from, to } = event;
  if (from === to && event.oldIndex === event.newIndex) return;
  const url = item.dataset.moveUrl;
  if (!url) {
    putBack(event);
    return;
  }
  // Neighbours on the page: dropped at the end of a long column, the card goes right after the
  // last card shown (before the ones behind "Show more"), since ranks are project-wide.
  const previous = item.previousElementSibling;
  const next = item.nextElementSibling;
  const body = new FormData();
  if (previous && previous.dataset.key) body.append("after", previous.dataset.key);
  if (next && next.dataset.key) body.append("before", next.dataset.key);
  if (to.dataset.status !== undefined) body.append("status", to.dataset.status);
  if (to.dataset.priority !== undefined) body.append("priority", to.dataset.priority);
  // An assignee column, or another swimlane: the card changes hands ("" unassigns it).
  const otherLane = to.dataset.lane !== undefined && to.dataset.lane !== from.dataset.lane;
  if (to.dataset.assignee !== undefined && (to.dataset.lane === undefined || otherLane)) {
    body.append("assignee", to.dataset.assignee);
  }
  body.append("version", item.dataset.version || "");
  if (from !== to) {
    shift(from, -1);
    shift(to, 1);
  }
  item.classList.add("is-saving");
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
    });
  } catch (error) {
    item.classList.remove("is-saving");
    putBack(event);
    toast("The move could not be saved: the server did not answer. Try again.", "error");
    return;
  }
  const text = await response.text();
  if (!response.ok) {
    item.classList.remove("is-saving");
    putBack(event);
    toast(text || `The move was refused (${response.status}).`, "error");
    return;
  }
  const template = document.createElement("template");
  template.innerHTML = text.trim();
  const card = template.content.firstElementChild;
  if (card) item.replaceWith(card);
  else item.classList.remove("is-saving");
}

function bindList(list) {
  if (list.dataset.sortableBound) return;
  list.dataset.sortableBound = "1";
  Sortable.create(list, {
    // Across columns and across swimlanes (which reassigns the card).
    group: "board",
    animation: 150,
    draggable: "[data-move-url]",
    filter: "a, button, input",
    preventOnFilter: false,
    // Pointer-driven dragging (not native HTML5 drag and drop): the same on mouse, pen and touch.
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

/** A <select data-autosubmit> submits its form when changed (the board's "Columns" choice). */
function installAutosubmit() {
  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.requestSubmit();
    }
  });
}

/** "Show N more" (a [data-board-more] link, htmx): the next cards of a long column are appended
 * to its list and the link replaced (out of band). A card already on the page that comes again
 * (it was dropped after the last card shown, or moved meanwhile) is taken out first, so every
 * card is once on the board, in rank order; the keyboard focus goes to the first new card. */
function installShowMore() {
  const pending = new WeakMap();
  // The element that made the request (detail.elt is the target in some htmx events).
  const moreLink = (detail) => {
    const source = (detail.requestConfig && detail.requestConfig.elt) || detail.elt;
    return source && source.matches && source.matches("[data-board-more]") ? source : null;
  };
  document.addEventListener("htmx:beforeSwap", (event) => {
    const source = moreLink(event.detail);
    const list = event.detail.target;
    if (!source || !list) return;
    if (event.detail.xhr && event.detail.xhr.status !== 200) return;
    const text = event.detail.serverResponse || "";
    for (const match of text.matchAll(/\bid="card-([^"]+)"/g)) {
      const card = document.getElementById(`card-${match[1]}`);
      if (card) {
        if (card.parentElement !== list) shift(card.parentElement, -1);
        card.remove();
      }
    }
    pending.set(list, { first: list.children.length, focused: document.activeElement === source });
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    const list = event.detail.target;
    const state = list && pending.get(list);
    if (!state) return;
    pending.delete(list);
    const first = list.children[state.first];
    const link = first && first.querySelector("a");
    if (state.focused && link) link.focus();
  });
  document.addEventListener("htmx:responseError", (event) => {
    if (moreLink(event.detail)) {
      toast("The next cards could not be loaded. Reload the board and try again.", "error");
    }
  });
}

/** A live refresh re-renders the whole board: it asks for as many cards as each long column
 * shows now (`long=<dom id>:<n>,...`), so what "Show more" loaded stays on the board. */
function installRefreshKeepsMore() {
  document.addEventListener("htmx:configRequest", (event) => {
    const source = event.detail.elt;
    if (!source || !source.matches || !source.matches("[data-board-refresh]")) return;
    const page = Number(source.getAttribute("data-board-page")) || 0;
    const long = [];
    document.querySelectorAll("#board [data-board-list]").forEach((list) => {
      const shown = list.querySelectorAll(":scope > li[data-key]").length;
      if (shown > page && list.id.startsWith("cards-")) long.push(`${list.id.slice(6)}:${shown}`);
    });
    if (long.length) event.detail.parameters.long = long.join(",");
  });
}

export function installBoard() {
  installAutosubmit();
  installShowMore();
  installRefreshKeepsMore();
  const bindAll = (root) => {
    const scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("[data-board-list]").forEach(bindList);
    if (scope.matches && scope.matches("[data-board-list]")) bindList(scope);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => bindAll(document));
  else bindAll(document);
  // A quick add re-renders its column: bind the new list.
  document.addEventListener("htmx:load", (event) => bindAll(event.target));
}

export default installBoard;
