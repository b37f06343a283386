// A dropdown menu: a button toggles a panel; a click outside or Esc closes it; arrow keys move
// between the items. Markup: x-ref="button" on the trigger, x-ref="panel" on the .menu.
const ITEMS = "a.menu-item, button.menu-item:not([disabled])";

export default function menu() {
  return {
    open: false,

    toggle() {
      if (this.open) this.close();
      else this.show();
    },

    show() {
      this.open = true;
    },

    close() {
      this.open = false;
    },

    closeAndFocus() {
      if (!this.open) return;
      this.open = false;
      this.$refs.button.focus();
    },

    onButtonKeydown(event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        this.open = true;
        this.$nextTick(() => this.focusItem(event.key === "ArrowDown" ? 0 : -1));
      }
    },

    onPanelKeydown(event) {
      const items = this.items();
      const index = items.indexOf(document.activeElement);
      if (event.key === "ArrowDown") {
        event.preventDefault();
        this.focusItem(index + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        this.focusItem(index <= 0 ? -1 : index - 1);
      } else if (event.key === "Home") {
        event.preventDefault();
        this.focusItem(0);
      } else if (event.key === "End") {
        event.preventDefault();
        this.focusItem(-1);
      } else if (event.key === "Tab") {
        this.close();
      }
    },

    items() {
      return Array.from(this.$refs.panel.querySelectorAll(ITEMS));
    },

    focusItem(index) {
      const items = this.items();
      if (!items.length) return;
      const i = index < 0 ? items.length - 1 : index % items.length;
      items[i].focus();
    },

    expanded() {
      return this.open ? "true" : "false";
    },
  };
}
