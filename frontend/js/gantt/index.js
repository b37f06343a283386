// The Gantt chart (planning/gantt.html): a small virtualised renderer, see
// docs/decisions/0009-gantt-renderer.md.
//
// One element scrolls (.gantt-chart); it holds an SVG as large as the whole timeline, in which
// only the rows and days on screen (plus a margin) are drawn, once per animation frame after a
// scroll. The grid on the left and the time scale on top follow its scroll position. Data comes
// from GET /api/v1/.../projects/KEY/gantt; every change goes through the ordinary API routes:
// drag a bar (PATCH the task's start and due dates, same working days), drag its right edge
// (PATCH due date and duration), drag a dot onto another bar (POST a dependency: from the
// finish dot FS onto the left half of the target, FF onto its right half; from the start dot
// SS / SF), click an arrow and press Delete (DELETE it; Ctrl+Z puts it back). Writes send the
// version they saw (If-Match); a 409 or a refusal shows why in a toast and reloads the rows.
// After each write, live event or panel change the rows are fetched again, keeping scroll and
// selection, so successors moved by auto-scheduling show where they went.
import { WorkCalendar, shortDate, toDay } from "./dates.js";
import { ZOOMS, ZOOM_ORDER, ticks } from "./scale.js";
import { ROW_H, barMarkup, geometry, gridRowMarkup, linkMarkup, scaleMarkup, shadeMarkup } from "./draw.js";
import { interactions } from "./interact.js";
import { errorMessage, toast, writes } from "./writes.js";

const OVERSCAN = 6;
const LIVE_EVENTS = /^(task|dependency|project|task_plan|baseline|calendar)\./;
const RELOAD_DELAY_MS = 150;

class Gantt {
  constructor(root) {
    this.root = root;
    this.chart = root.querySelector("[data-gantt-chart]");
    this.svg = root.querySelector("[data-gantt-svg]");
    this.canvas = root.querySelector("[data-gantt-canvas]");
    this.grid = root.querySelector("[data-gantt-grid]");
    this.gridInner = root.querySelector("[data-gantt-grid-inner]");
    this.scale = root.querySelector("[data-gantt-scale]");
    this.scaleSvg = root.querySelector("[data-gantt-scale-svg]");
    this.loading = root.querySelector("[data-gantt-loading]");
    this.status = root.querySelector("[data-gantt-status]");
    this.gridSlice = document.createElement("div");
    this.gridSlice.className = "gantt-grid-slice";
    this.gridInner.appendChild(this.gridSlice);
    this.canWrite = root.hasAttribute("data-can-write");
    this.canLink = root.hasAttribute("data-can-link");
    this.project = root.dataset.project;
    this.zoom = ZOOMS[root.dataset.zoom] ? root.dataset.zoom : "week";
    const panel = document.getElementById("task-panel");
    this.pagePattern = panel ? panel.dataset.taskUrl : "";
    this.rows = [];
    this.byKey = new Map();
    this.visible = [];
    this.indexOf = new Map();
    this.links = [];
    this.collapsed = new Set();
    this.previews = new Map();
    this.selectedKey = null;
    this.selectedLink = null;
    this.dropTarget = null;
    this.drag = null;
    this.rubber = null;
    this.origin = null;
    this.lastDeleted = null;
    this.frame = 0;
    this.ready = false;
    this.reloading = false;
    this.reloadAgain = false;
    this.reloadTimer = 0;
    this.baseline = "";
    this.bind();
    this.load();
  }

  // --- data ------------------------------------------------------------------------------------

  dataUrl() {
    const url = new URL(this.root.dataset.url, window.location.origin);
    if (this.baseline) url.searchParams.set("baseline", this.baseline);
    return url.toString();
  }

  async load() {
    let response;
    try {
      response = await fetch(this.dataUrl(), { credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch (error) {
      this.fail("The chart could not be loaded: the server did not answer. Reload the page to try again.");
      return;
    }
    if (!response.ok) {
      this.fail(await errorMessage(response));
      return;
    }
    this.apply(await response.json());
  }

  fail(message) {
    this.loading.hidden = false;
    this.loading.textContent = message;
    this.loading.classList.add("is-error");
  }

  apply(data) {
    this.data = data;
    this.calendar = new WorkCalendar(data.calendar);
    this.today = toDay(data.today);
    this.rows = data.rows.map((row) => ({
      ...row,
      startDay: toDay(row.start),
      finishDay: toDay(row.finish),
      baseStart: toDay(row.baseline_start),
      baseFinish: toDay(row.baseline_finish),
    }));
    this.byKey = new Map(this.rows.map((row) => [row.key, row]));
    this.links = data.links.map((link) => {
      const p = this.byKey.get(link.predecessor);
      const s = this.byKey.get(link.successor);
      return { ...link, critical: Boolean(p && s && p.critical && s.critical) };
    });
    this.previews.clear();
    if (this.selectedKey && !this.byKey.has(this.selectedKey)) this.selectedKey = null;
    if (this.selectedLink && !this.links.some((l) => l.id === this.selectedLink)) this.selectedLink = null;
    this.layoutRows();
    this.layoutTime();
    this.loading.hidden = this.rows.length > 0;
    if (!this.rows.length) this.loading.textContent = "No tasks in this project yet: add some from the list or the board.";
    if (!this.ready) {
      this.scrollToStart();
      this.drawNow();
      this.ready = true;
      this.root.dataset.ganttReady = "1";
      if (window.performance && performance.mark) performance.mark("gantt-ready");
      this.root.dispatchEvent(new CustomEvent("gantt:ready", { bubbles: true }));
    } else {
      this.drawNow();
    }
    this.root.dataset.ganttVersion = String(Number(this.root.dataset.ganttVersion || 0) + 1);
  }

  /** The visible rows: those under no collapsed summary. */
  layoutRows() {
    this.visible = [];
    let hiddenBelow = null; // depth of the collapsed summary whose subtree we are in
    for (const row of this.rows) {
      if (hiddenBelow !== null) {
        if (row.depth > hiddenBelow) continue;
        hiddenBelow = null;
      }
      this.visible.push(row);
      if (row.summary && this.collapsed.has(row.key)) hiddenBelow = row.depth;
    }
    this.indexOf = new Map(this.visible.map((row, i) => [row.key, i]));
    const height = Math.max(this.visible.length * ROW_H, 1);
    this.gridInner.style.height = `${height}px`;
    this.contentHeight = height;
  }

  /** The time range: from a week before the earliest date to three weeks after the latest. */
  layoutTime() {
    let first = this.today;
    let last = this.today;
    const project = toDay(this.data.start_date);
    if (project !== null) first = Math.min(first, project);
    for (const row of this.rows) {
      if (row.startDay !== null) first = Math.min(first, row.startDay);
      if (row.finishDay !== null) last = Math.max(last, row.finishDay);
      if (row.baseStart !== null) first = Math.min(first, row.baseStart);
      if (row.baseFinish !== null) last = Math.max(last, row.baseFinish);
    }
    first -= 7;
    last += 21;
    const previous = this.origin;
    // The origin only ever moves left, so a reload never shifts what the viewer is looking at
    // (when it does move, the scroll position follows).
    this.origin = previous === null ? first : Math.min(previous, first);
    this.lastDay = Math.max(last, this.lastDay || last);
    this.px = ZOOMS[this.zoom].px;
    const minWidth = this.chart.clientWidth || 800;
    this.contentWidth = Math.max(Math.ceil((this.lastDay - this.origin + 1) * this.px), minWidth);
    // The canvas gives the scroll range; the SVG is only as large as the viewport and stays in
    // it (position: sticky), its content shifted by the scroll position: the browser lays out
    // and paints one screenful, whatever the size of the project.
    this.canvas.style.width = `${this.contentWidth}px`;
    this.canvas.style.height = `${Math.max(this.contentHeight, this.chart.clientHeight - 1, 1)}px`;
    this.svg.setAttribute("width", String(Math.max(1, this.chart.clientWidth)));
    this.svg.setAttribute("height", String(Math.max(1, this.chart.clientHeight)));
    this.scaleSvg.setAttribute("width", String(this.contentWidth));
    this.scaleSvg.setAttribute("height", "44");
    if (previous !== null && this.origin !== previous) this.chart.scrollLeft += (previous - this.origin) * this.px;
  }

  scrollToStart() {
    const project = toDay(this.data.start_date);
    let target = project !== null ? project : this.today;
    const firstBar = this.rows.find((row) => row.startDay !== null);
    if (firstBar) target = Math.min(target, firstBar.startDay);
    // From the start of the work, unless today is too far right to be seen from there.
    const todayInside = this.rows.some((r) => r.startDay !== null && r.startDay <= this.today && r.finishDay >= this.today);
    if (todayInside && (this.today - target) * this.px > this.chart.clientWidth * 0.7) target = this.today - 7;
    this.chart.scrollLeft = Math.max(0, (target - 2 - this.origin) * this.px);
  }

  // --- drawing ---------------------------------------------------------------------------------

  view() {
    const left = this.chart.scrollLeft;
    const width = this.chart.clientWidth;
    const origin = this.origin;
    const px = this.px;
    return {
      left,
      width,
      px,
      x: (day) => Math.round((day - origin) * px * 10) / 10,
      calendar: this.calendar,
      shade: ZOOMS[this.zoom].shade,
      labels: this.zoom !== "quarter",
      today: this.today,
      baseline: Boolean(this.baseline),
      canWrite: this.canWrite,
      canLink: this.canLink,
      selectedKey: this.selectedKey,
      selectedLink: this.selectedLink,
      dropTarget: this.dropTarget,
      previews: this.previews,
      collapsed: this.collapsed,
      pageUrl: (key) => this.pagePattern.replace("__KEY__", encodeURIComponent(key)),
    };
  }

  draw() {
    if (this.frame) return;
    this.frame = window.requestAnimationFrame(() => {
      this.frame = 0;
      this.drawNow();
    });
  }

  drawNow() {
    if (!this.data) return;
    const view = this.view();
    const top = this.chart.scrollTop;
    const height = this.chart.clientHeight;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(this.visible.length - 1, Math.ceil((top + height) / ROW_H) + OVERSCAN);
    const dayFrom = this.origin + Math.floor(view.left / this.px) - 1;
    const dayTo = this.origin + Math.ceil((view.left + view.width) / this.px) + 1;
    const y0 = first * ROW_H;
    const y1 = (last + 1) * ROW_H;

    let out = shadeMarkup(view, dayFrom, dayTo, y0, Math.max(y1, Math.min(top + height, this.chart.scrollHeight)));
    if (this.selectedKey !== null && this.indexOf.has(this.selectedKey)) {
      const i = this.indexOf.get(this.selectedKey);
      out += `<rect class="gantt-row-highlight" x="${view.left}" y="${i * ROW_H}" width="${view.width}" height="${ROW_H}"/>`;
    }
    if (this.today !== null && this.today >= dayFrom && this.today <= dayTo) {
      const x = view.x(this.today) + this.px / 2;
      out += `<line class="gantt-today" x1="${x}" x2="${x}" y1="${top}" y2="${top + height}"/>`;
    }
    // Arrows under the bars: those with an end on screen, or passing over it.
    let arrows = "";
    for (const link of this.links) {
      const pi = this.indexOf.get(link.predecessor);
      const si = this.indexOf.get(link.successor);
      if (pi === undefined || si === undefined) continue;
      if (Math.max(pi, si) < first || Math.min(pi, si) > last) continue;
      const p = this.byKey.get(link.predecessor);
      const s = this.byKey.get(link.successor);
      const pg = geometry(view, p, pi, this.previews.get(p.key));
      const sg = geometry(view, s, si, this.previews.get(s.key));
      if (!pg || !sg) continue;
      if (Math.max(pg.x2, sg.x2) + 20 < view.left || Math.min(pg.x1, sg.x1) - 20 > view.left + view.width) continue;
      arrows += linkMarkup(view, link, pg, sg);
    }
    out += `<g class="gantt-links">${arrows}</g>`;
    let bars = "";
    let rowsHtml = "";
    for (let i = first; i <= last; i += 1) {
      const row = this.visible[i];
      bars += barMarkup(view, row, i);
      rowsHtml += gridRowMarkup(view, row);
    }
    out += bars;
    if (this.rubber) {
      const r = this.rubber;
      out += `<line class="gantt-rubber" x1="${r.x1}" y1="${r.y1}" x2="${r.x2}" y2="${r.y2}"/>`;
    }
    this.svg.innerHTML = `<g transform="translate(${-view.left} ${-top})">${out}</g>`;
    this.gridSlice.innerHTML = rowsHtml;
    this.gridSlice.style.transform = `translateY(${first * ROW_H}px)`;
    // The scale changes only with the horizontal position, the zoom or the data.
    const scaleKey = `${this.zoom}:${dayFrom}:${dayTo}:${view.left}:${this.origin}:${this.today}`;
    if (scaleKey !== this.scaleKey) {
      this.scaleKey = scaleKey;
      this.scaleSvg.innerHTML = scaleMarkup(view, ticks(this.zoom, dayFrom, dayTo + 1));
    }
    if (Math.abs(this.grid.scrollTop - top) > 0.5) this.grid.scrollTop = top;
    if (Math.abs(this.scale.scrollLeft - view.left) > 0.5) this.scale.scrollLeft = view.left;
  }

  // --- events ----------------------------------------------------------------------------------

  bind() {
    this.chart.addEventListener("scroll", () => this.draw(), { passive: true });
    this.grid.addEventListener(
      "scroll",
      () => {
        if (Math.abs(this.grid.scrollTop - this.chart.scrollTop) > 1) this.chart.scrollTop = this.grid.scrollTop;
      },
      { passive: true },
    );
    window.addEventListener("resize", () => {
      if (this.data) {
        this.layoutTime();
        this.draw();
      }
    });
    this.svg.addEventListener("pointerdown", (e) => this.onPointerDown(e));
    this.svg.addEventListener("pointermove", (e) => this.onPointerMove(e));
    this.svg.addEventListener("pointerup", (e) => this.onPointerUp(e));
    this.svg.addEventListener("pointercancel", () => this.cancelDrag());
    this.svg.addEventListener("dblclick", (e) => {
      const bar = e.target instanceof Element ? e.target.closest("[data-key]") : null;
      if (bar) this.openTask(bar.dataset.key);
    });
    this.grid.addEventListener("click", (e) => this.onGridClick(e));
    this.root.addEventListener("keydown", (e) => this.onKeydown(e));
    this.root.querySelectorAll("[data-gantt-zoom]").forEach((button) => {
      button.addEventListener("click", () => this.setZoom(button.dataset.ganttZoom));
    });
    const today = this.root.querySelector("[data-gantt-today]");
    if (today) today.addEventListener("click", () => this.scrollToDay(this.today));
    this.root.querySelectorAll("[data-gantt-collapse]").forEach((button) => {
      button.addEventListener("click", () => this.collapseAll(button.dataset.ganttCollapse === "all"));
    });
    const baseline = this.root.querySelector("[data-gantt-baseline]");
    if (baseline) {
      baseline.addEventListener("change", () => {
        this.baseline = baseline.value;
        this.reload();
      });
    }
    const schedule = this.root.querySelector("[data-gantt-schedule]");
    if (schedule) schedule.addEventListener("click", () => this.scheduleNow(schedule));
    document.addEventListener("labora:live", (e) => {
      const message = e.detail || {};
      if (message.project === this.project && LIVE_EVENTS.test(message.event || "")) this.reload();
    });
    window.addEventListener("labora:task-changed", () => this.reload());
  }

  // --- view changes ----------------------------------------------------------------------------

  select(key, reveal = false) {
    this.selectedKey = key;
    const row = this.byKey.get(key);
    if (row) {
      const when = row.startDay === null ? "not scheduled" : `${shortDate(row.startDay, true)} to ${shortDate(row.finishDay, true)}`;
      this.announce(`${row.key} ${row.title}, ${when}${row.critical ? ", critical" : ""}.`);
    }
    if (reveal && this.indexOf.has(key)) {
      const y = this.indexOf.get(key) * ROW_H;
      const top = this.chart.scrollTop;
      const h = this.chart.clientHeight;
      if (y < top) this.chart.scrollTop = y;
      else if (y + ROW_H > top + h) this.chart.scrollTop = y + ROW_H - h;
      if (row && row.startDay !== null) {
        const x = (row.startDay - this.origin) * this.px;
        const left = this.chart.scrollLeft;
        if (x < left || x > left + this.chart.clientWidth - 40) this.chart.scrollLeft = Math.max(0, x - 60);
      }
    }
    this.root.dataset.ganttSelected = key || "";
    this.draw();
  }

  announce(text) {
    if (this.status) this.status.textContent = text;
  }

  toggle(key) {
    if (this.collapsed.has(key)) this.collapsed.delete(key);
    else this.collapsed.add(key);
    this.layoutRows();
    this.layoutTime();
    this.drawNow();
  }

  collapseAll(collapse) {
    this.collapsed = collapse ? new Set(this.rows.filter((r) => r.summary && r.depth === 0).map((r) => r.key)) : new Set();
    this.layoutRows();
    this.layoutTime();
    this.drawNow();
  }

  setZoom(zoom) {
    if (!ZOOMS[zoom] || !this.data) return;
    const started = window.performance ? performance.now() : 0;
    const center = this.origin + (this.chart.scrollLeft + this.chart.clientWidth / 2) / this.px;
    this.zoom = zoom;
    this.root.dataset.zoom = zoom;
    this.root.querySelectorAll("[data-gantt-zoom]").forEach((button) => {
      button.setAttribute("aria-pressed", String(button.dataset.ganttZoom === zoom));
    });
    this.layoutTime();
    this.chart.scrollLeft = Math.max(0, (center - this.origin) * this.px - this.chart.clientWidth / 2);
    this.drawNow();
    if (window.performance) this.root.dataset.ganttZoomMs = String(Math.round(performance.now() - started));
  }

  stepZoom(step) {
    const i = ZOOM_ORDER.indexOf(this.zoom);
    const next = ZOOM_ORDER[Math.max(0, Math.min(ZOOM_ORDER.length - 1, i + step))];
    if (next !== this.zoom) this.setZoom(next);
  }

  scrollToDay(day) {
    if (day === null || day === undefined || !this.data) return;
    this.chart.scrollLeft = Math.max(0, (day - this.origin) * this.px - this.chart.clientWidth / 3);
    this.draw();
  }

  openTask(key) {
    this.select(key, true);
    this.drawNow();
    const link = this.gridSlice.querySelector(`[data-row="${CSS.escape(key)}"] a[data-panel-link]`);
    if (link) link.click();
  }

  /** Fetch the rows again soon (bursts of live events coalesce); never during a drag. */
  reload(delay = RELOAD_DELAY_MS) {
    if (this.reloadTimer) window.clearTimeout(this.reloadTimer);
    this.reloadTimer = window.setTimeout(() => this.reloadNow(), delay);
  }

  async reloadNow() {
    this.reloadTimer = 0;
    if (this.drag) {
      this.reload(250);
      return;
    }
    if (this.reloading) {
      this.reloadAgain = true;
      return;
    }
    this.reloading = true;
    try {
      const response = await fetch(this.dataUrl(), { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok && !this.drag) this.apply(await response.json());
      else if (!response.ok) toast(await errorMessage(response), "error");
    } catch (error) {
      // offline for a moment: the next event or change reloads again
    } finally {
      this.reloading = false;
      if (this.reloadAgain) {
        this.reloadAgain = false;
        this.reload(0);
      }
    }
  }
}

Object.assign(Gantt.prototype, interactions, writes);

export function installGantt() {
  const start = () => {
    document.querySelectorAll("[data-gantt]").forEach((root) => {
      if (!root.ganttChart) root.ganttChart = new Gantt(root);
    });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}

export default installGantt;

// Imported for its effect by frontend/app.js: starts every chart on the page.
installGantt();
