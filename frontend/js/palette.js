// The command palette: Ctrl/Cmd-K or "/" opens it; type to filter; arrows move; Enter goes.
// Commands come from the server as JSON in <script type="application/json" id="palette-commands">.
// Typing also searches the workspace's tasks (full-text, ranked) at data-search-url, debounced;
// the matching tasks are a "Tasks" group, first unless a command's name starts with the text.
import { searchCommands } from "./fuzzy.js";
import { isTyping } from "./keys.js";

const SEARCH_DELAY_MS = 150;
const SEARCHABLE = /[\p{L}\p{N}]/u;

/** Number the items of `groups` in display order (arrow keys walk them top to bottom). */
function numbered(groups) {
  let index = 0;
  const result = groups.map((group) => ({
    name: group.name,
    items: group.items.map((item) => ({ ...item, index: index++, domId: `palette-item-${index}` })),
  }));
  return { groups: result, count: index };
}

export default function palette() {
  return {
    query: "",
    cursor: 0,
    count: 0,
    groups: [],
    commands: [],
    tasks: [],
    tasksFor: "",
    searching: false,
    searchUrl: "",
    timer: null,
    controller: null,

    init() {
      this.searchUrl = this.$el.dataset.searchUrl || "";
      const data = document.getElementById("palette-commands");
      try {
        this.commands = data ? JSON.parse(data.textContent) : [];
      } catch {
        this.commands = [];
      }
      this.filter();
      window.addEventListener("keydown", (event) => this.onGlobalKeydown(event));
      window.addEventListener("labora:palette", () => this.show());
    },

    onGlobalKeydown(event) {
      const key = event.key ? event.key.toLowerCase() : "";
      if (key === "k" && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey) {
        event.preventDefault();
        if (this.isOpen()) this.hide();
        else this.show();
        return;
      }
      if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event)) {
        if (document.querySelector("dialog[open]")) return;
        event.preventDefault();
        this.show();
      }
    },

    isOpen() {
      return this.$refs.dialog.open;
    },

    show() {
      const dialog = this.$refs.dialog;
      if (dialog.open) return;
      this.query = "";
      this.$refs.input.value = "";
      this.tasks = [];
      this.tasksFor = "";
      this.filter();
      dialog.showModal();
      this.$refs.input.focus();
    },

    hide() {
      if (this.$refs.dialog.open) this.$refs.dialog.close();
    },

    onBackdropClick(event) {
      // A click on the dialog element itself (not its content) is a click on the backdrop.
      if (event.target === this.$refs.dialog) this.hide();
    },

    onInput(event) {
      this.query = event.target.value;
      this.filter();
      this.scheduleSearch();
    },

    filter() {
      const q = this.query.trim();
      const found = searchCommands(this.query, this.commands);
      const tasks = q && this.tasksFor === q ? this.tasks : [];
      let groups = found.groups;
      if (tasks.length) {
        const taskGroup = {
          name: "Tasks",
          items: tasks.map((t) => ({ label: `${t.key} ${t.title}`, url: t.url, hint: t.project_name, group: "Tasks" })),
        };
        // A command whose name starts with what was typed stays on top; otherwise tasks lead.
        const lower = q.toLowerCase();
        const commandFirst = found.groups.some((g) => g.items.some((c) => c.label.toLowerCase().startsWith(lower)));
        groups = commandFirst ? [...found.groups, taskGroup] : [taskGroup, ...found.groups];
      }
      const { groups: numberedGroups, count } = numbered(groups);
      this.groups = numberedGroups;
      this.count = count;
      this.cursor = 0;
    },

    scheduleSearch() {
      clearTimeout(this.timer);
      const q = this.query.trim();
      if (!this.searchUrl || !SEARCHABLE.test(q)) {
        if (this.controller) this.controller.abort();
        this.searching = false;
        return;
      }
      this.searching = true;
      this.timer = setTimeout(() => this.search(q), SEARCH_DELAY_MS);
    },

    async search(q) {
      if (this.controller) this.controller.abort();
      const controller = new AbortController();
      this.controller = controller;
      try {
        const url = `${this.searchUrl}?${new URLSearchParams({ q, limit: "8" })}`;
        const response = await fetch(url, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          signal: controller.signal,
        });
        if (!response.ok) throw new Error(`search answered ${response.status}`);
        const body = await response.json();
        if (controller !== this.controller) return; // a newer search is on its way
        this.tasks = body.items || [];
        this.tasksFor = q;
      } catch (error) {
        if (error.name === "AbortError") return;
        this.tasks = [];
        this.tasksFor = q;
      }
      this.searching = false;
      if (this.query.trim() === q) this.filter();
    },

    onKeydown(event) {
      if (event.key === "ArrowDown" || (event.key === "n" && event.ctrlKey)) {
        event.preventDefault();
        this.move(1);
      } else if (event.key === "ArrowUp" || (event.key === "p" && event.ctrlKey)) {
        event.preventDefault();
        this.move(-1);
      } else if (event.key === "Home" && event.ctrlKey) {
        event.preventDefault();
        this.setCursor(0);
      } else if (event.key === "End" && event.ctrlKey) {
        event.preventDefault();
        this.setCursor(this.count - 1);
      } else if (event.key === "Enter") {
        event.preventDefault();
        this.go(this.activeItem(), event.ctrlKey || event.metaKey);
      }
    },

    move(step) {
      if (!this.count) return;
      this.setCursor((this.cursor + step + this.count) % this.count);
    },

    setCursor(index) {
      this.cursor = Math.max(0, Math.min(index, this.count - 1));
      this.$nextTick(() => {
        const el = this.$refs.results.querySelector(".palette-item.is-active");
        if (el) el.scrollIntoView({ block: "nearest" });
      });
    },

    activeItem() {
      for (const group of this.groups) {
        for (const item of group.items) if (item.index === this.cursor) return item;
      }
      return null;
    },

    go(item, newTab) {
      if (!item) return;
      if (newTab) {
        window.open(item.url, "_blank", "noopener");
        return;
      }
      this.hide();
      window.location.assign(item.url);
    },

    // --- bindings used inside the x-for loops (`this.item` is the loop variable) ---
    hover() {
      if (this.item.index !== this.cursor) this.cursor = this.item.index;
    },
    itemClass() {
      return this.item.index === this.cursor ? "is-active" : "";
    },
    itemSelected() {
      return this.item.index === this.cursor ? "true" : "false";
    },
    activeId() {
      const item = this.activeItem();
      return item ? item.domId : "";
    },
    isEmpty() {
      return this.count === 0;
    },
    emptyText() {
      if (this.searching) return "Searching tasks…";
      return this.searchUrl ? "No command or task matches. Try another word." : "No command matches. Try another word.";
    },
  };
}
