// Relative times that stay true on a page left open: every <time datetime="…" data-relative>
// (the {% reltime %} tag of labora/web/templatetags/labora_ui.py) is rewritten every 30 s —
// "just now", "5 minutes ago", "3 days ago" — with Intl.RelativeTimeFormat in the page's
// language. One timer for the page; the elements are looked up on each tick, so the ones HTMX or
// a live update added since are covered too. Nothing runs while the tab is hidden; coming back
// updates at once. data-relative="title": the element shows an absolute date and the relative
// phrase is its title. Otherwise the title becomes the reader's local date and time.
//
// Thresholds and rounding are the server's (labora_ui.relative_phrase): the first tick does not
// change what the server wrote.

const TICK_MS = 30000;
const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;
const MONTH_DAYS = 30.44;
const YEAR_DAYS = 365.25;

let formatter = null;
let absolute = null;
let english = true;

function language() {
  return document.documentElement.lang || navigator.language || "en";
}

function setup() {
  if (formatter) return;
  const lang = language();
  english = lang.toLowerCase().startsWith("en");
  try {
    formatter = new Intl.RelativeTimeFormat(lang, { numeric: "always" });
    absolute = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  } catch (error) {
    formatter = new Intl.RelativeTimeFormat("en", { numeric: "always" });
    absolute = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });
  }
}

/** The phrase for a moment `seconds` ago (negative: in the future). */
export function relativePhrase(seconds) {
  setup();
  const s = Math.abs(seconds);
  const sign = seconds >= 0 ? -1 : 1;
  if (s < 45) {
    if (english) return "just now";
    return new Intl.RelativeTimeFormat(language(), { numeric: "auto" }).format(0, "second");
  }
  let n;
  let unit;
  if (s < 45 * MINUTE) [n, unit] = [Math.round(s / MINUTE), "minute"];
  else if (s < 22 * HOUR) [n, unit] = [Math.round(s / HOUR), "hour"];
  else if (s < 26 * DAY) [n, unit] = [Math.round(s / DAY), "day"];
  else if (s < 320 * DAY) [n, unit] = [Math.round(s / DAY / MONTH_DAYS), "month"];
  else [n, unit] = [Math.round(s / DAY / YEAR_DAYS), "year"];
  return formatter.format(sign * Math.max(1, n), unit);
}

function update(element, now) {
  const at = Date.parse(element.getAttribute("datetime") || "");
  if (Number.isNaN(at)) return;
  const phrase = relativePhrase((now - at) / 1000);
  if (element.dataset.relative === "title") {
    if (element.title !== phrase) element.title = phrase;
    return;
  }
  if (element.textContent !== phrase) element.textContent = phrase;
  if (!element.dataset.relativeLocal) {
    element.title = absolute.format(new Date(at)); // the reader's own time zone
    element.dataset.relativeLocal = "1";
  }
}

export function refreshRelativeTimes(now = Date.now()) {
  document.querySelectorAll("time[data-relative]").forEach((element) => update(element, now));
}

let timer = null;

function tick() {
  if (document.hidden) return;
  refreshRelativeTimes();
}

export function installRelativeTime() {
  if (timer !== null) return;
  timer = window.setInterval(tick, TICK_MS);
  document.addEventListener("visibilitychange", tick);
  // Titles in the reader's time zone from the start (the texts are the server's, already right).
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", tick);
  else tick();
}

installRelativeTime(); // starts itself when imported

export default installRelativeTime;
