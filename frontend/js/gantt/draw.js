// SVG and HTML markup for the rows on screen: bars, milestones, summaries, baselines, arrows,
// non-working days, the today line, the time scale and the grid rows. Plain strings, set with
// innerHTML once per frame: only what is in the viewport (plus a few rows) is ever in the DOM.
// No style attributes anywhere (CSP style-src 'self'): geometry is SVG attributes, looks are
// classes from frontend/css/gantt.css.
import { route } from "./routes.js";
import { shortDate } from "./dates.js";

export const ROW_H = 32;
export const BAR_H = 16;
export const SCALE_ROW_H = 22;

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function esc(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The bar geometry of row `row` at visible index `i`: {x1, x2, y (centre), top} or null. */
export function geometry(view, row, i, dates) {
  const start = dates ? dates.start : row.startDay;
  const finish = dates ? dates.finish : row.finishDay;
  if (start === null || finish === null) return null;
  const top = i * ROW_H;
  const y = top + ROW_H / 2 - (view.baseline ? 3 : 0);
  if (row.milestone) {
    const cx = view.x(start + 1);
    return { x1: cx - 7, x2: cx + 7, y, top, cx };
  }
  return { x1: view.x(start), x2: Math.max(view.x(finish + 1), view.x(start) + 2), y, top };
}

function barClasses(row, view) {
  let cls = "gantt-bar";
  if (row.summary) cls += " is-summary";
  else if (row.milestone) cls += " is-milestone";
  if (row.critical) cls += " is-critical";
  if (row.manual) cls += " is-manual";
  if (row.category === "done") cls += " is-done";
  if (row.category === "cancelled") cls += " is-cancelled";
  if (row.key === view.selectedKey) cls += " is-selected";
  if (row.key === view.dropTarget) cls += " is-drop-target";
  if (view.previews.has(row.key)) cls += " is-moving";
  return cls;
}

function barTitle(row) {
  const when = row.startDay === null ? "not scheduled" : `${shortDate(row.startDay, true)} – ${shortDate(row.finishDay, true)}`;
  const float = row.total_float_days === null ? "" : `, float ${row.total_float_days} d`;
  const manual = row.manual ? ", manually scheduled" : "";
  return `${row.key} ${row.title}: ${when}, ${row.duration_days} d${float}${row.critical ? ", critical" : ""}${manual}`;
}

/** One task's bar (or diamond, or summary bracket) with its handles and label. */
export function barMarkup(view, row, i) {
  const g = geometry(view, row, i, view.previews.get(row.key));
  if (!g) return "";
  const editable = view.canWrite && !row.summary;
  const linkable = view.canLink;
  const half = BAR_H / 2;
  let out = `<g class="${barClasses(row, view)}" data-key="${esc(row.key)}"><title>${esc(barTitle(row))}</title>`;
  if (view.baseline && row.baseStart !== null && row.baseFinish !== null) {
    const bx1 = view.x(row.baseStart);
    const bx2 = row.milestone ? bx1 + view.px : view.x(row.baseFinish + 1);
    out += `<rect class="gantt-baseline-bar" x="${bx1}" y="${g.y + half + 2}" width="${Math.max(2, bx2 - bx1)}" height="4" rx="1"/>`;
  }
  if (row.milestone) {
    out += `<path class="gantt-milestone" d="M${g.cx} ${g.y - 8}l8 8l-8 8l-8-8z"${editable ? ' data-part="move"' : ""}/>`;
  } else if (row.summary) {
    const w = g.x2 - g.x1;
    out +=
      `<path class="gantt-summary" d="M${g.x1} ${g.y - 5}h${w}v11l-5 -5H${g.x1 + 5}l-5 5z"/>` +
      (row.progress > 0 ? `<rect class="gantt-summary-progress" x="${g.x1}" y="${g.y - 5}" width="${(w * row.progress) / 100}" height="3"/>` : "");
  } else {
    const w = g.x2 - g.x1;
    out += `<rect class="gantt-bar-body" x="${g.x1}" y="${g.y - half}" width="${w}" height="${BAR_H}" rx="3"${editable ? ' data-part="move"' : ""}/>`;
    if (row.progress > 0) {
      out += `<rect class="gantt-bar-progress" x="${g.x1}" y="${g.y - half}" width="${(w * Math.min(100, row.progress)) / 100}" height="${BAR_H}" rx="3"${editable ? ' data-part="move"' : ""}/>`;
    }
    if (editable) {
      out += `<rect class="gantt-bar-resize" x="${g.x2 - 5}" y="${g.y - half}" width="8" height="${BAR_H}" data-part="resize"/>`;
    }
  }
  if (linkable && !row.summary) {
    out +=
      `<circle class="gantt-handle gantt-handle-start" cx="${g.x1 - 7}" cy="${g.y}" r="4.5" data-part="link-start"/>` +
      `<circle class="gantt-handle gantt-handle-finish" cx="${g.x2 + 7}" cy="${g.y}" r="4.5" data-part="link-finish"/>`;
  }
  if (view.labels) {
    out += `<text class="gantt-bar-label" x="${g.x2 + (linkable ? 16 : 6)}" y="${g.y + 4}">${esc(row.title)}</text>`;
  }
  return `${out}</g>`;
}

/** A dependency arrow between two visible rows. */
export function linkMarkup(view, link, p, s) {
  const { d, head } = route(p, s, link.type, ROW_H);
  let cls = "gantt-link";
  if (link.critical) cls += " is-critical";
  if (link.id === view.selectedLink) cls += " is-selected";
  const lag = link.lag_days ? ` ${link.lag_days > 0 ? "+" : ""}${link.lag_days} d` : "";
  return (
    `<g class="${cls}" data-link="${esc(link.id)}"><title>${esc(`${link.predecessor} → ${link.successor} (${link.type}${lag}). Click to select, Delete to remove.`)}</title>` +
    `<path class="gantt-link-hit" d="${d}"/><path class="gantt-link-line" d="${d}"/><path class="gantt-link-head" d="${head}"/></g>`
  );
}

/** Non-working days between `from` and `to` as shaded columns from y0 to y1. */
export function shadeMarkup(view, from, to, y0, y1) {
  if (!view.shade) return "";
  let out = "";
  for (let d = from; d <= to; d += 1) {
    if (!view.calendar.isWorking(d)) {
      // A holiday says which one when hovered (its name, from the working calendar).
      const label = view.calendar.holidayLabel(d);
      const rect = `<rect class="gantt-off" x="${view.x(d)}" y="${y0}" width="${view.px}" height="${y1 - y0}"`;
      out += label ? `${rect} data-holiday="${esc(label)}"><title>${esc(label)}</title></rect>` : `${rect}/>`;
    }
  }
  return out;
}

/** The two-tier scale header. */
export function scaleMarkup(view, t) {
  let out = "";
  for (const tick of t.top) {
    const x = view.x(tick.from);
    out += `<line class="gantt-scale-line" x1="${x}" x2="${x}" y1="0" y2="${SCALE_ROW_H}"/>`;
    // The label sticks to the left edge while its period scrolls by, and is left out when
    // too little of the period is in sight for it to fit before the next one's.
    const start = Math.max(x, view.left);
    if (view.x(tick.to) - start >= 72) {
      out += `<text class="gantt-scale-top" x="${start + 6}" y="15">${esc(tick.label)}</text>`;
    }
  }
  for (const tick of t.bottom) {
    const x = view.x(tick.from);
    const w = view.x(tick.to) - x;
    if (tick.weekend) out += `<rect class="gantt-scale-off" x="${x}" y="${SCALE_ROW_H}" width="${w}" height="${SCALE_ROW_H}"/>`;
    out += `<line class="gantt-scale-tick" x1="${x}" x2="${x}" y1="${SCALE_ROW_H}" y2="${SCALE_ROW_H * 2}"/>`;
    if (w >= 14) out += `<text class="gantt-scale-bottom" x="${x + w / 2}" y="${SCALE_ROW_H + 15}">${esc(tick.label)}</text>`;
  }
  out += `<line class="gantt-scale-line" x1="${view.left}" x2="${view.left + view.width}" y1="${SCALE_ROW_H}" y2="${SCALE_ROW_H}"/>`;
  if (view.today !== null) {
    const x = view.x(view.today) + view.px / 2;
    out += `<path class="gantt-scale-today" d="M${x - 4} ${SCALE_ROW_H * 2 - 6}h8l-4 6z"/>`;
  }
  return out;
}

/** One grid row (HTML). */
export function gridRowMarkup(view, row) {
  let cls = "gantt-row";
  if (row.key === view.selectedKey) cls += " is-selected";
  if (row.summary) cls += " is-summary";
  if (row.critical) cls += " is-critical";
  if (row.category === "done") cls += " is-done";
  const expanded = row.summary ? ` aria-expanded="${view.collapsed.has(row.key) ? "false" : "true"}"` : "";
  const toggle = row.summary
    ? `<button type="button" class="gantt-toggle" data-toggle="${esc(row.key)}" aria-label="${view.collapsed.has(row.key) ? "Expand" : "Collapse"} ${esc(row.key)}" tabindex="-1"><span class="gantt-caret${view.collapsed.has(row.key) ? "" : " is-open"}"></span></button>`
    : `<span class="gantt-toggle-space"></span>`;
  const dates = view.previews.get(row.key);
  const start = dates ? dates.start : row.startDay;
  const finish = dates ? dates.finish : row.finishDay;
  return (
    `<div class="${cls}" role="row" aria-level="${row.depth + 1}"${expanded} aria-selected="${row.key === view.selectedKey}" data-row="${esc(row.key)}">` +
    `<span class="gantt-col-key" role="gridcell"><span class="gantt-indent gantt-depth-${Math.min(row.depth, 8)}"></span>${toggle}` +
    `<a class="mono" href="${esc(view.pageUrl(row.key))}" data-panel-link data-task="${esc(row.key)}" tabindex="-1">${esc(row.key)}</a></span>` +
    `<span class="gantt-col-title" role="gridcell" title="${esc(row.title)}">${esc(row.title)}</span>` +
    `<span class="gantt-col-date" role="gridcell">${start === null ? "—" : shortDate(start)}</span>` +
    `<span class="gantt-col-date" role="gridcell">${finish === null ? "—" : shortDate(finish)}</span>` +
    `<span class="gantt-col-dur" role="gridcell">${row.summary ? "" : row.duration_days}</span></div>`
  );
}
