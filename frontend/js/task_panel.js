// The task side panel (work/_panel_task.html) of the list, the board and My work.
// A click on a link marked data-panel-link (or Enter on a focused one) loads the task page's
// `#task` partial into the panel with HTMX instead of leaving the page; the address gets
// ?task=KEY (so a reload opens it again); Escape or the close button closes it. The partial's
// forms post back to the task's address and swap #task-page inside the panel. After a change
// the panel announces `labora:task-changed`, which the list and the board use to refresh.
// On phones the panel covers the screen (CSS). Presence: while the panel shows a task, the page
// tells the live connection it views that task (live.js, "labora:presence") and lists the other
// viewers in the panel's header; closing the panel (or showing another task) leaves it.
import { isTyping, modalOpen } from "./keys.js";

const KEY_RE = /^[A-Z][A-Z0-9]{1,9}-[1-9][0-9]{0,9}$/;

export default function taskPanel() {
  return {
    open: false,
    key: "",
    url: "",
    opener: null,

    init() {
      const key = new URLSearchParams(window.location.search).get("task");
      if (key && KEY_RE.test(key.toUpperCase())) this.show(key.toUpperCase(), null);
    },

    taskUrl(key) {
      return this.$el.dataset.taskUrl.replace("__KEY__", encodeURIComponent(key));
    },

    onClick(event) {
      if (event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return; // new tab/window
      const link = event.target instanceof Element ? event.target.closest("a[data-panel-link]") : null;
      if (!link || !link.dataset.task) return;
      event.preventDefault();
      this.show(link.dataset.task, link);
    },

    show(key, opener) {
      this.key = key;
      this.url = this.taskUrl(key);
      this.opener = opener;
      this.open = true;
      document.body.classList.add("panel-open");
      this.remember(key);
      this.presence(key);
      window.htmx
        .ajax("GET", this.url, { target: "#task-panel-body", swap: "innerHTML" })
        .then(() => this.$nextTick(() => this.focusPanel()));
    },

    focusPanel() {
      const heading = this.$refs.body.querySelector("h2, [tabindex]");
      if (heading) {
        if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
      }
    },

    close() {
      if (!this.open) return;
      this.open = false;
      this.key = "";
      this.$refs.body.innerHTML = "";
      document.body.classList.remove("panel-open");
      this.remember("");
      this.presence(null);
      if (this.opener && document.contains(this.opener)) this.opener.focus();
    },

    /** Who else views the task: a [data-live-presence] in the header, filled by live.js. */
    presence(key) {
      const header = this.$el.querySelector(".side-panel-header");
      if (header && !header.querySelector("[data-live-presence]")) {
        const box = document.createElement("div");
        box.className = "live-presence side-panel-presence";
        box.setAttribute("data-live-presence", "");
        box.setAttribute("aria-live", "polite");
        box.hidden = true;
        const title = header.querySelector(".side-panel-title");
        if (title) title.after(box);
        else header.prepend(box);
      }
      document.dispatchEvent(new CustomEvent("labora:presence", { detail: { task: key } }));
    },

    /** Keep ?task=KEY in the address (replaceState: Back still leaves the page). */
    remember(key) {
      const address = new URL(window.location.href);
      if (key) address.searchParams.set("task", key);
      else address.searchParams.delete("task");
      window.history.replaceState(window.history.state, "", address.toString());
    },

    onKeydown(event) {
      if (event.key !== "Escape" || !this.open || modalOpen()) return;
      if (isTyping(event)) {
        event.target.blur(); // the first Escape leaves the field, the next closes the panel
        return;
      }
      event.preventDefault();
      this.close();
    },

    /** Forms of the partial without an action would post to the list's address: aim them at the task. */
    onSwap() {
      this.$refs.body.querySelectorAll("form:not([action])").forEach((form) => {
        form.setAttribute("action", this.url);
      });
      this.$refs.body.querySelectorAll("form[action='']").forEach((form) => {
        form.setAttribute("action", this.url);
      });
    },

    onRequest(event) {
      const detail = event.detail || {};
      const verb = detail.requestConfig && detail.requestConfig.verb;
      if (detail.successful && verb && verb.toLowerCase() === "post") {
        window.dispatchEvent(new CustomEvent("labora:task-changed", { detail: { key: this.key } }));
      }
    },
  };
}
