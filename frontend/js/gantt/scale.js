// The time scale: how many pixels a day takes at each zoom, and the two tiers of header ticks
// (e.g. months over days) for the part of the timeline on screen.
import { MONTHS, firstOfMonth, parts, weekday } from "./dates.js";

export const ZOOMS = {
  day: { px: 28, shade: true },
  week: { px: 11, shade: true },
  month: { px: 3.6, shade: false },
  quarter: { px: 1.3, shade: false },
};
export const ZOOM_ORDER = ["day", "week", "month", "quarter"];

/** Month starts (day numbers) from the month of `from` to past `to`. */
function monthStarts(from, to, step = 1) {
  const out = [];
  const p = parts(from);
  let y = p.y;
  let m = p.m - (p.m % step);
  for (let i = 0; i < 1000; i += 1) {
    const day = firstOfMonth(y, m);
    out.push({ day, y, m });
    if (day > to) break;
    m += step;
    if (m >= 12) {
      m -= 12;
      y += 1;
    }
  }
  return out;
}

function spans(starts, label) {
  const out = [];
  for (let i = 0; i + 1 < starts.length; i += 1) {
    out.push({ from: starts[i].day, to: starts[i + 1].day, label: label(starts[i]) });
  }
  return out;
}

/** Ticks for days [from, to): {top: [{from, to, label}], bottom: [...]}. */
export function ticks(zoom, from, to) {
  if (zoom === "day") {
    const bottom = [];
    for (let d = from; d < to; d += 1) {
      bottom.push({ from: d, to: d + 1, label: String(parts(d).d), weekend: weekday(d) >= 5 });
    }
    return { top: spans(monthStarts(from, to), (s) => `${MONTHS[s.m]} ${s.y}`), bottom };
  }
  if (zoom === "week") {
    const bottom = [];
    let d = from - weekday(from);
    for (; d < to; d += 7) {
      const p = parts(d);
      bottom.push({ from: d, to: d + 7, label: `${p.d} ${MONTHS[p.m]}` });
    }
    return { top: spans(monthStarts(from, to), (s) => `${MONTHS[s.m]} ${s.y}`), bottom };
  }
  if (zoom === "month") {
    return {
      top: spans(monthStarts(from, to, 12), (s) => String(s.y)),
      bottom: spans(monthStarts(from, to), (s) => MONTHS[s.m]),
    };
  }
  return {
    top: spans(monthStarts(from, to, 12), (s) => String(s.y)),
    bottom: spans(monthStarts(from, to, 3), (s) => `Q${s.m / 3 + 1}`),
  };
}
