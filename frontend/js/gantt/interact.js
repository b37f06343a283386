// Pointer and keyboard handling of the chart, mixed into the Gantt class (index.js).
//
// Pointer: a bar's body moves it, its right edge resizes it, its dots draw a dependency to
// another bar (a rubber band follows the pointer; the target is outlined), an arrow selects
// the dependency; the SVG captures the pointer for the whole gesture, and the bar is drawn where
// it would land (a preview) until the server answers.
// Keyboard (the chart has the focus): Up/Down select, Left/Right collapse/expand a summary (or
// go to its parent), Enter opens the side panel, +/- zoom, T today, Delete removes the selected
// dependency, Ctrl+Z puts the last removed one back, Escape cancels.
import { isTyping, modalOpen } from "../keys.js";
import { ROW_H, geometry } from "./draw.js";

export const interactions = {
  svgPoint(event) {
    const box = this.svg.getBoundingClientRect();
    return { x: event.clientX - box.left + this.chart.scrollLeft, y: event.clientY - box.top + this.chart.scrollTop };
  },

  rowAt(y) {
    const i = Math.floor(y / ROW_H);
    return i >= 0 && i < this.visible.length ? this.visible[i] : null;
  },

  onPointerDown(event) {
    if (event.button !== 0 || !this.data) return;
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    this.chart.focus({ preventScroll: true });
    const link = target.closest("[data-link]");
    if (link) {
      this.selectedLink = link.dataset.link;
      this.announce("Dependency selected: press Delete to remove it.");
      this.draw();
      return;
    }
    const part = target.closest("[data-part]");
    const bar = target.closest("[data-key]");
    const point = this.svgPoint(event);
    this.selectedLink = null;
    if (!bar) {
      const row = this.rowAt(point.y);
      if (row) this.select(row.key);
      else this.draw();
      return;
    }
    const row = this.byKey.get(bar.dataset.key);
    this.select(row.key);
    if (!part) return;
    const kind = part.dataset.part;
    event.preventDefault();
    this.svg.setPointerCapture(event.pointerId);
    if (kind === "link-start" || kind === "link-finish") {
      const g = geometry(this.view(), row, this.indexOf.get(row.key));
      const x = kind === "link-finish" ? g.x2 + 7 : g.x1 - 7;
      this.drag = { kind: "link", key: row.key, end: kind === "link-finish" ? "finish" : "start" };
      this.rubber = { x1: x, y1: g.y, x2: point.x, y2: point.y };
    } else {
      this.drag = { kind, key: row.key, x0: point.x, delta: 0, row };
    }
    this.draw();
  },

  onPointerMove(event) {
    if (!this.drag) return;
    const point = this.svgPoint(event);
    if (this.drag.kind === "link") {
      this.rubber.x2 = point.x;
      this.rubber.y2 = point.y;
      const over = this.targetAt(event);
      this.dropTarget = over && over !== this.drag.key ? over : null;
      this.draw();
      return;
    }
    const { row } = this.drag;
    const delta = Math.round((point.x - this.drag.x0) / this.px);
    if (delta === this.drag.delta) return;
    this.drag.delta = delta;
    if (this.drag.kind === "move") {
      this.previews.set(row.key, { start: row.startDay + delta, finish: row.finishDay + delta });
    } else {
      this.previews.set(row.key, { start: row.startDay, finish: Math.max(row.startDay, row.finishDay + delta) });
    }
    this.draw();
  },

  targetAt(event) {
    const element = document.elementFromPoint(event.clientX, event.clientY);
    const bar = element && element.closest ? element.closest("[data-gantt-svg] [data-key]") : null;
    if (bar) return bar.dataset.key;
    const row = this.rowAt(this.svgPoint(event).y);
    if (!row || row.summary || row.startDay === null) return null;
    const g = geometry(this.view(), row, this.indexOf.get(row.key));
    const x = this.svgPoint(event).x;
    return x >= g.x1 - 12 && x <= g.x2 + 12 ? row.key : null;
  },

  onPointerUp(event) {
    const drag = this.drag;
    if (!drag) return;
    this.drag = null;
    if (drag.kind === "link") {
      const target = this.targetAt(event);
      this.rubber = null;
      this.dropTarget = null;
      if (!target || target === drag.key) {
        this.draw();
        return;
      }
      const row = this.byKey.get(target);
      const g = geometry(this.view(), row, this.indexOf.get(target));
      const onRight = this.svgPoint(event).x > (g.x1 + g.x2) / 2;
      const type = drag.end === "finish" ? (onRight ? "FF" : "FS") : onRight ? "SF" : "SS";
      this.draw();
      this.createLink(drag.key, target, type);
      return;
    }
    if (!drag.delta) {
      this.previews.delete(drag.key);
      this.draw();
      return;
    }
    if (drag.kind === "move") this.commitMove(drag.row, drag.delta);
    else this.commitResize(drag.row, drag.delta);
  },

  cancelDrag() {
    if (this.drag && this.drag.key) this.previews.delete(this.drag.key);
    this.drag = null;
    this.rubber = null;
    this.dropTarget = null;
    this.draw();
  },

  onGridClick(event) {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const toggle = target.closest("[data-toggle]");
    if (toggle) {
      this.toggle(toggle.dataset.toggle);
      return;
    }
    const row = target.closest("[data-row]");
    if (row && !target.closest("a")) {
      this.select(row.dataset.row);
      this.chart.focus({ preventScroll: true });
    }
  },

  onKeydown(event) {
    if (isTyping(event) || modalOpen() || event.altKey || !this.data) return;
    if (event.target instanceof Element && event.target.closest("select, button:not(.gantt-toggle)")) return;
    const key = event.key;
    const ctrl = event.ctrlKey || event.metaKey;
    if (ctrl && key.toLowerCase() === "z") {
      if (this.lastDeleted) {
        event.preventDefault();
        const d = this.lastDeleted;
        this.lastDeleted = null;
        this.createLink(d.predecessor, d.successor, d.type, d.lag_days);
      }
      return;
    }
    if (ctrl) return;
    if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      const i = this.selectedKey !== null && this.indexOf.has(this.selectedKey) ? this.indexOf.get(this.selectedKey) : -1;
      const next = Math.max(0, Math.min(this.visible.length - 1, i + (key === "ArrowDown" ? 1 : -1)));
      if (this.visible[next]) this.select(this.visible[next].key, true);
    } else if ((key === "ArrowLeft" || key === "ArrowRight") && this.selectedKey) {
      const row = this.byKey.get(this.selectedKey);
      event.preventDefault();
      if (row.summary && (key === "ArrowLeft") !== this.collapsed.has(row.key)) this.toggle(row.key);
      else if (key === "ArrowLeft" && row.parent && this.indexOf.has(row.parent)) this.select(row.parent, true);
      else if (row.startDay !== null) this.scrollToDay(row.startDay);
    } else if (key === "Enter" && this.selectedKey) {
      event.preventDefault();
      this.openTask(this.selectedKey);
    } else if (key === "+" || key === "=") {
      event.preventDefault();
      this.stepZoom(-1);
    } else if (key === "-" || key === "_") {
      event.preventDefault();
      this.stepZoom(1);
    } else if (key === "t" || key === "T") {
      this.scrollToDay(this.today);
    } else if ((key === "Delete" || key === "Backspace") && this.selectedLink) {
      event.preventDefault();
      this.deleteLink(this.selectedLink);
    } else if (key === "Escape" && (this.drag || this.selectedLink)) {
      this.cancelDrag();
      this.selectedLink = null;
      this.draw();
    }
  },
};
