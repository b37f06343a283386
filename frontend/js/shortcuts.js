// Keyboard shortcuts: "?" lists them; "g" then a letter goes somewhere. The targets are read
// from data-go-<letter> attributes on the component's element (rendered by the server).
import { isTyping, modalOpen } from "./keys.js";

const SEQUENCE_MS = 1200;

export default function shortcuts() {
  return {
    pending: "",
    timer: null,
    targets: {},

    init() {
      for (const [name, url] of Object.entries(this.$el.dataset)) {
        // data-go-h -> dataset.goH
        const match = /^go([A-Z])$/.exec(name);
        if (match && url) this.targets[match[1].toLowerCase()] = url;
      }
      window.addEventListener("keydown", (event) => this.onKeydown(event));
      window.addEventListener("labora:shortcuts", () => this.show());
    },

    onKeydown(event) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event) || modalOpen()) return;
      const key = event.key;
      if (this.pending === "g") {
        this.reset();
        const url = this.targets[key.toLowerCase()];
        if (url) {
          event.preventDefault();
          window.location.assign(url);
        }
        return;
      }
      if (key === "?") {
        event.preventDefault();
        this.show();
      } else if (key === "g") {
        this.pending = "g";
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.reset(), SEQUENCE_MS);
      }
    },

    reset() {
      this.pending = "";
      clearTimeout(this.timer);
    },

    show() {
      const dialog = this.$refs.dialog;
      if (dialog && !dialog.open) dialog.showModal();
    },

    hide() {
      const dialog = this.$refs.dialog;
      if (dialog && dialog.open) dialog.close();
    },

    onBackdropClick(event) {
      if (event.target === this.$refs.dialog) this.hide();
    },
  };
}
