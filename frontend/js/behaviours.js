// Small document-wide behaviours that need no component.

const CLOSE_ICON =
  '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M18 6 6 18M6 6l12 12"/></svg>';
const LEVEL_ICON = {
  success: '<path d="M20 6 9 17l-5-5"/>',
  error: '<circle cx="12" cy="12" r="9"/><path d="M12 8v4M12 16h.01"/>',
  warning: '<path d="M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z"/><path d="M12 9v4M12 17h.01"/>',
  info: '<circle cx="12" cy="12" r="9"/><path d="M12 16v-4M12 8h.01"/>',
};

/** Forms and buttons with data-confirm="Question?" ask before they submit (CSP: no onsubmit). */
export function installConfirm() {
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      const submitter = event.submitter;
      const question = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true,
  );
}

/** Show a toast from anywhere: window.dispatchEvent(new CustomEvent("labora:toast", {detail: {message, level}}))
 * or from the server with the response header  HX-Trigger: {"labora:toast": {"message": "Saved", "level": "success"}}. */
export function showToast(message, level = "info") {
  let region = document.getElementById("toasts");
  if (!region) {
    region = document.createElement("div");
    region.id = "toasts";
    region.className = "toasts";
    region.setAttribute("aria-live", "polite");
    document.body.appendChild(region);
  }
  const safeLevel = LEVEL_ICON[level] ? level : "info";
  const el = document.createElement("div");
  el.className = `toast toast-${safeLevel}`;
  el.setAttribute("role", safeLevel === "error" ? "alert" : "status");
  el.setAttribute("x-data", "toast");
  el.setAttribute("x-bind:class", "toastClass");
  el.setAttribute("x-on:mouseenter", "pause");
  el.setAttribute("x-on:mouseleave", "resume");
  el.dataset.timeout = safeLevel === "error" ? "9000" : "5000";
  el.innerHTML =
    `<span class="toast-icon"><svg class="icon" viewBox="0 0 24 24" aria-hidden="true">${LEVEL_ICON[safeLevel]}</svg></span>` +
    '<div class="toast-body"></div>' +
    `<button type="button" class="toast-close" aria-label="Dismiss" x-on:click="dismiss">${CLOSE_ICON}</button>`;
  el.querySelector(".toast-body").textContent = message;
  region.appendChild(el);
}

export function installToastEvents() {
  const handler = (event) => {
    const detail = event.detail || {};
    // HX-Trigger delivers {"labora:toast": {...}} as event.detail (htmx 2 may nest it under .value).
    const data = detail.value && typeof detail.value === "object" ? detail.value : detail;
    if (data.message) showToast(String(data.message), data.level || "info");
  };
  // htmx triggers HX-Trigger events on the requesting element; they bubble up to window.
  window.addEventListener("labora:toast", handler);
}

/** Buttons with data-open-palette / data-open-shortcuts open those dialogs (CSP: no onclick). */
export function installOpeners() {
  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest("[data-open-palette]")) {
      event.preventDefault();
      window.dispatchEvent(new CustomEvent("labora:palette"));
    } else if (target.closest("[data-open-shortcuts]")) {
      event.preventDefault();
      window.dispatchEvent(new CustomEvent("labora:shortcuts"));
    }
  });
}

/** Buttons with data-copy="#selector" copy that element's value (or text) to the clipboard.
 * They are rendered `hidden` so that pages without this script show no dead button. */
export function installCopy() {
  const reveal = () => {
    document.querySelectorAll("[data-copy][hidden]").forEach((button) => {
      if (navigator.clipboard) button.hidden = false;
    });
  };
  reveal();
  document.addEventListener("htmx:afterSwap", reveal);
  document.addEventListener("click", async (event) => {
    const target = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    if (!target) return;
    event.preventDefault();
    const source = document.querySelector(target.dataset.copy);
    if (!source) return;
    const text = "value" in source ? source.value : source.textContent;
    try {
      await navigator.clipboard.writeText(text.trim());
      showToast("Copied to the clipboard.", "success");
    } catch (_error) {
      if (typeof source.select === "function") source.select();
      showToast("Copying was blocked: the text is selected, press Ctrl+C.", "warning");
    }
  });
}

/** The project's tab strip scrolls sideways when its views do not fit (phones, narrow
 * windows): keep the current view's tab in sight. */
export function installCurrentTab() {
  const current = document.querySelector(".project-nav [aria-current='page']");
  if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest", inline: "center" });
}
