// The board and the task list follow live events ("labora:live", from live.js): a task.* event
// of the project on screen (<main data-live-project="OPS">) re-fetches the view with htmx.ajax
// (the server renders only the #board / #task-results partial for those HX-Targets) and swaps
// in what changed.
//
// Without losing what the viewer is doing: while a card is being dragged or its move is saving,
// the refresh waits; while the focus is in a field inside the view (the board's "+ Add a task"
// box, the list's quick add or a cell editor), only the columns / rows around it are swapped and
// the one holding the focus is refreshed when the focus leaves it — keeping any text typed and not
// yet submitted. Bursts of events (a bulk edit) coalesce into one request.

const FIELD = "input, textarea, select, [contenteditable='true']";
const VIEWS = [
  // A board column at a time (its cards, count and "add" form); swimlane boards have no
  // per-column ids and are swapped whole.
  { selector: "#board", units: "section.board-column[id]" },
  // A list row at a time.
  { selector: "#task-results", units: "tr[id^='task-']" },
];
const SWAP = { swapStyle: "outerHTML", swapDelay: 0, settleDelay: 0 };
const COALESCE_MS = 50;
const BUSY_RETRY_MS = 250;

function focusedField() {
  const element = document.activeElement;
  return element && element !== document.body && element.matches && element.matches(FIELD) ? element : null;
}

/** Text typed into fields of `root` and not submitted yet, by field id: a swap re-renders the
 * fields empty, so their text is put back afterwards. */
function typedText(root) {
  return Array.from(root.querySelectorAll("input[id], textarea[id]"))
    .filter((f) => !["hidden", "checkbox", "radio", "file"].includes(f.type) && f.value !== f.defaultValue)
    .map((f) => [f.id, f.value]);
}

function putBackText(typed) {
  for (const [id, value] of typed) {
    const field = document.getElementById(id);
    if (field && field.value === field.defaultValue) field.value = value;
  }
}

function swapKeepingText(element, text, select) {
  const typed = typedText(element);
  window.htmx.swap(element, text, SWAP, { select });
  putBackText(typed);
}

function currentView() {
  for (const view of VIEWS) {
    const element = document.querySelector(view.selector);
    if (element) return { view, element };
  }
  return null;
}

function refreshUrl() {
  const url = new URL(window.location.href);
  url.searchParams.delete("task"); // the side panel's task: not part of the view
  return url.pathname + url.search;
}

function busy() {
  // SortableJS classes (board.js): a card held or dragged, or a move on its way to the server.
  return document.querySelector(".is-chosen, .is-dragging, .is-saving") !== null;
}

export function installLiveViews() {
  const main = document.querySelector("[data-live-project]");
  if (!main || !window.htmx) return;
  const project = main.dataset.liveProject;
  const htmx = window.htmx;
  let timer = null;
  let inFlight = false;
  let again = false;
  let waitingField = null;

  function schedule(delay = COALESCE_MS) {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(refresh, delay);
  }

  function refreshOnBlur(field) {
    if (waitingField === field) return;
    waitingField = field;
    field.addEventListener(
      "focusout",
      () => {
        waitingField = null;
        schedule();
      },
      { once: true },
    );
  }

  function apply(found, text) {
    const current = document.querySelector(found.view.selector);
    if (!current) return;
    const fresh = new DOMParser().parseFromString(text, "text/html").querySelector(found.view.selector);
    if (!fresh) return;
    const field = focusedField();
    if (!field || !current.contains(field)) {
      swapKeepingText(current, text, found.view.selector);
      return;
    }
    const before = Array.from(current.querySelectorAll(found.view.units));
    const after = Array.from(fresh.querySelectorAll(found.view.units));
    const sameShape = before.length === after.length && before.every((unit, i) => unit.id === after[i].id);
    if (!sameShape) {
      refreshOnBlur(field); // rows or columns came or went: swap it all once the typing is done
      return;
    }
    before.forEach((unit, i) => {
      if (unit.contains(field)) {
        // Keep the field; drop the cards that now live elsewhere, refresh the rest on blur.
        unit.querySelectorAll("[data-key][id]").forEach((card) => {
          if (!after[i].querySelector(`#${CSS.escape(card.id)}`)) card.remove();
        });
        const count = unit.querySelector("[data-board-count]");
        const freshCount = after[i].querySelector("[data-board-count]");
        if (count && freshCount) {
          count.textContent = freshCount.textContent;
          count.className = freshCount.className;
        }
        if (unit.outerHTML !== after[i].outerHTML) refreshOnBlur(field);
        return;
      }
      if (unit.outerHTML !== after[i].outerHTML) swapKeepingText(unit, text, `#${CSS.escape(unit.id)}`);
    });
  }

  function refresh() {
    timer = null;
    const found = currentView();
    if (!found) return;
    if (busy()) {
      schedule(BUSY_RETRY_MS);
      return;
    }
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    htmx
      .ajax("GET", refreshUrl(), {
        source: found.element,
        target: found.element, // sends HX-Target: board / task-results: the server renders the partial
        handler: (element, info) => {
          if (info.xhr.status === 200) apply(found, info.xhr.responseText);
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

  document.addEventListener("labora:live", (event) => {
    const message = event.detail || {};
    const data = message.data || {};
    const ours = message.project === project || data.from_project === project; // moved away counts
    if (!ours || !String(message.event || "").startsWith("task.")) return;
    schedule();
  });
}

export default installLiveViews;
