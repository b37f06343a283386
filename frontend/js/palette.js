// The command palette: Ctrl/Cmd-K or "/" opens it; type to filter; arrows move; Enter goes.
// Commands come from the server as JSON in <script type="application/json" id="palette-commands">.
import { searchCommands } from "./fuzzy.js";
import { isTyping } from "./keys.js";

export default function palette() {
  return {
    query: "",
    cursor: 0,
    count: 0,
    groups: [],
    commands: [],

    init() {
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
    },

    filter() {
      const { groups, count } = searchCommands(this.query, this.commands);
      this.groups = groups;
      this.count = count;
      this.cursor = 0;
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
  };
}
