// The task list (work/task_list.html): selection for the bulk bar and list keyboard keys.
//   j / k  move to the next / previous row (focuses its key link, so the focus ring shows it)
//   Enter  opens the focused task (in the side panel: frontend/js/task_panel.js)
//   x      toggles the selection of the current row
// Keys are ignored while typing in a field or when a dialog is open.
import { isTyping, modalOpen } from "./keys.js";

export default function workList() {
  return {
    count: 0,
    current: -1,

    init() {
      this.recount();
    },

    get hasSelection() {
      return this.count > 0;
    },

    get selectionLabel() {
      return this.count === 1 ? "1 task selected" : `${this.count} tasks selected`;
    },

    rows() {
      return Array.from(document.querySelectorAll("#task-results [data-task-row]"));
    },

    boxes() {
      return Array.from(document.querySelectorAll("#task-results input[data-select]"));
    },

    recount() {
      // A task grouped under several labels has one checkbox per row: count tasks, not boxes.
      this.count = new Set(this.boxes().filter((box) => box.checked).map((box) => box.value)).size;
      const rows = this.rows();
      if (this.current >= rows.length) this.current = rows.length - 1;
    },

    onChange(event) {
      const box = event.target;
      if (!box || !box.matches || !box.matches("input[data-select]")) return;
      this.boxes().forEach((other) => {
        if (other.value === box.value) other.checked = box.checked;
      });
      this.recount();
    },

    clearSelection() {
      this.boxes().forEach((box) => {
        box.checked = false;
      });
      this.recount();
    },

    currentIndex(rows) {
      const active = document.activeElement;
      const row = active && active.closest ? active.closest("[data-task-row]") : null;
      const index = row ? rows.indexOf(row) : -1;
      return index >= 0 ? index : this.current;
    },

    move(step) {
      const rows = this.rows();
      if (!rows.length) return;
      const from = this.currentIndex(rows);
      const next = from < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, from + step));
      this.current = next;
      const link = rows[next].querySelector("[data-row-link]");
      if (link) {
        link.focus();
        rows[next].scrollIntoView({ block: "nearest" });
      }
    },

    toggle() {
      const rows = this.rows();
      const index = this.currentIndex(rows);
      if (index < 0) return;
      const box = rows[index].querySelector("input[data-select]");
      if (!box) return;
      const checked = !box.checked;
      this.boxes().forEach((other) => {
        if (other.value === box.value) other.checked = checked;
      });
      this.recount();
    },

    onKeydown(event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event) || modalOpen()) return;
      if (event.key === "j") {
        event.preventDefault();
        this.move(1);
      } else if (event.key === "k") {
        event.preventDefault();
        this.move(-1);
      } else if (event.key === "x") {
        event.preventDefault();
        this.toggle();
      }
    },
  };
}
