// A task's checklist (work/task_detail.html, on the task page and in the side panel) reorders by
// drag — SortableJS on the item's handle — and by keyboard: Alt+ArrowUp / Alt+ArrowDown on any
// focused control of an item. A move posts {before, after, version} to the item's data-move-url
// (POST /api/v1/workspaces/{ws}/tasks/{key}/checklist/{id}/move, the checklist_item_move service):
// `after` is the item now above it, `before` the one now below. The answer carries the item's new
// version, kept for the next move; a refusal (stale version, no permission, item gone) puts the
// item back where it was and shows the server's message as a toast. CSP-safe: no inline code.
import Sortable from "sortablejs";
import { csrfToken, toast } from "./requests.js";

const LIST = "[data-checklist]";
const ITEM = "[data-checklist-item]";

function itemOf(node) {
  return node && node.matches && node.matches(ITEM) ? node : null;
}

/** Put `item` back at `index` among its list's items (a refused move). */
function putBack(list, item, index) {
  const others = Array.from(list.children).filter((child) => child !== item);
  list.insertBefore(item, others[index] || null);
}

async function save(list, item, oldIndex) {
  const previous = itemOf(item.previousElementSibling);
  const next = itemOf(item.nextElementSibling);
  const body = { version: Number(item.dataset.version) };
  if (previous) body.after = previous.dataset.checklistItem;
  if (next) body.before = next.dataset.checklistItem;
  item.classList.add("is-saving");
  item.setAttribute("aria-busy", "true");
  let response;
  try {
    response = await fetch(item.dataset.moveUrl, {
      method: "POST",
      body: JSON.stringify(body),
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    });
  } catch (error) {
    response = null;
  }
  let answer = null;
  try {
    answer = response ? await response.json() : null;
  } catch (error) {
    answer = null;
  }
  // Busy until the new version is kept: a next move sent before would be refused as stale.
  if (response && response.ok && answer) {
    item.dataset.version = String(answer.version);
    // The item's other forms (tick, delete) are version-checked too.
    item.querySelectorAll('input[name="version"]').forEach((input) => {
      input.value = String(answer.version);
    });
  }
  item.classList.remove("is-saving");
  item.removeAttribute("aria-busy");
  if (response && response.ok && answer) return;
  putBack(list, item, oldIndex);
  if (!response) {
    toast("The move could not be saved: the server did not answer. Try again.", "error");
    return;
  }
  const message = (answer && answer.error && answer.error.message) || "";
  toast(message || `The move was refused (${response.status}). Reload the page and try again.`, "error");
}

function indexOf(list, item) {
  return Array.from(list.children).indexOf(item);
}

function bindList(list) {
  if (list.dataset.checklistBound) return;
  list.dataset.checklistBound = "1";
  Sortable.create(list, {
    draggable: ITEM,
    handle: "[data-checklist-handle]",
    filter: ".is-saving", // one move of an item at a time
    preventOnFilter: false,
    animation: 150,
    // Like the board: the same pointer-driven drag for mouse and touch (HTML5 drag and drop
    // never starts from a touch), after a few pixels so that a click on the handle stays a click.
    forceFallback: true,
    fallbackTolerance: 4,
    // The dragged copy follows the pointer from <body>: inside the task page or the side panel
    // its fixed position would be offset by their containing blocks.
    fallbackOnBody: true,
    ghostClass: "is-ghost",
    chosenClass: "is-chosen",
    dragClass: "is-dragging",
    onEnd(event) {
      if (event.oldIndex === event.newIndex) return;
      save(list, event.item, event.oldIndex);
    },
  });
}

function onKeydown(event) {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
  const item = event.target instanceof Element ? event.target.closest(ITEM) : null;
  const list = item ? item.closest(LIST) : null;
  if (!item || !list) return;
  event.preventDefault();
  if (item.getAttribute("aria-busy") === "true") return; // one move of an item at a time
  const oldIndex = indexOf(list, item);
  if (event.key === "ArrowUp") {
    const previous = itemOf(item.previousElementSibling);
    if (!previous) return;
    list.insertBefore(item, previous);
  } else {
    const next = itemOf(item.nextElementSibling);
    if (!next) return;
    list.insertBefore(item, next.nextElementSibling);
  }
  // Moving a node keeps its focus in Chromium and Firefox, but not everywhere: put it back.
  if (event.target instanceof HTMLElement && document.activeElement !== event.target) event.target.focus();
  const label = item.dataset.checklistText || "The item";
  const position = indexOf(list, item) + 1;
  announce(list, `${label}: moved to position ${position} of ${list.querySelectorAll(ITEM).length}.`);
  save(list, item, oldIndex);
}

/** Tell screen readers where a keyboard move put the item (a polite live region by the list). */
function announce(list, text) {
  let region = list.parentElement.querySelector("[data-checklist-status]");
  if (!region) {
    region = document.createElement("p");
    region.className = "sr-only";
    region.setAttribute("role", "status");
    region.setAttribute("data-checklist-status", "");
    list.insertAdjacentElement("afterend", region);
  }
  region.textContent = text;
}

export function installChecklist() {
  const bindAll = (root) => {
    const scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll(LIST).forEach(bindList);
    if (scope.matches && scope.matches(LIST)) bindList(scope);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => bindAll(document));
  else bindAll(document);
  // The task page re-renders itself after each checklist form, and the side panel loads it.
  document.addEventListener("htmx:load", (event) => bindAll(event.target));
  document.addEventListener("keydown", onKeydown);
}
