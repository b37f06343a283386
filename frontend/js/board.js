// The project board (work/board.html): cards are dragged between columns with SortableJS.
// A column stands for a status (data-status), an assignee (data-assignee, "" = unassigned) or a
// priority (data-priority); a swimlane for an assignee (data-lane + data-assignee). A drop posts
// {before, after, version} plus what the target column (and, across lanes, the lane) stands for
// to the card's data-move-url; the server answers the re-rendered card, or 422 with the reason
// (workflow, WIP limit, stale version): the card then goes back where it was and the reason is
// shown as a toast. CSP-safe: no inline code.
import Sortable from "sortablejs";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) return meta.content;
  const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
  return input ? input.value : "";
}

function toast(message, level) {
  window.dispatchEvent(new CustomEvent("labora:toast", { detail: { message, level } }));
}

/** Refresh the "n / limit" counter and full state of the column of `status` from the DOM
 * (with swimlanes a status has one list per lane and one header above them). */
function recount(status) {
  if (!status) return;
  const selector = `[data-board-list][data-status="${CSS.escape(status)}"] > [data-key]`;
  const count = document.querySelectorAll(selector).length;
  document.querySelectorAll(`[data-board-column][data-status="${CSS.escape(status)}"]`).forEach((column) => {
    const limit = Number(column.dataset.wipLimit || 0);
    const badge = column.querySelector("[data-board-count]");
    const full = limit > 0 && count >= limit;
    if (badge) {
      badge.textContent = limit > 0 ? `${count} / ${limit}` : String(count);
      badge.classList.toggle("is-full", full);
    }
    column.classList.toggle("is-full", full);
  });
}

function putBack(event) {
  const { item, from, oldIndex } = event;
  const reference = from.children[oldIndex] || null;
  from.insertBefore(item, reference === item ? item.nextSibling : reference);
  recount(event.to.dataset.status);
  recount(from.dataset.status);
}

async function onDrop(event) {
  const { item, from, to } = event;
  if (from === to && event.oldIndex === event.newIndex) return;
  const url = item.dataset.moveUrl;
  if (!url) {
    putBack(event);
    return;
  }
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
  recount(to.dataset.status);
  recount(from.dataset.status);
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

export function installBoard() {
  installAutosubmit();
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
