// Dates as whole days since 1970-01-01 (UTC), and the project's working calendar.
// A day number is cheap to compare and to turn into an x coordinate; the chart never needs
// anything finer than a day (durations and lags are whole working days, docs/scheduling.md).

const MS_PER_DAY = 86400000;
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
export const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2025-01-06" -> day number (null stays null). */
export function toDay(iso) {
  if (!iso) return null;
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  return Math.round(Date.UTC(y, m - 1, d) / MS_PER_DAY);
}

/** day number -> "2025-01-06". */
export function toIso(day) {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Monday ... 6 = Sunday (day 0, 1970-01-01, was a Thursday). */
export function weekday(day) {
  return (((day + 3) % 7) + 7) % 7;
}

/** {y, m (0-11), d} of a day number. */
export function parts(day) {
  const date = new Date(day * MS_PER_DAY);
  return { y: date.getUTCFullYear(), m: date.getUTCMonth(), d: date.getUTCDate() };
}

export function firstOfMonth(y, m) {
  return Math.round(Date.UTC(y, m, 1) / MS_PER_DAY);
}

/** "6 Jan" / "6 Jan 2025" for people. */
export function shortDate(day, withYear = false) {
  if (day === null || day === undefined) return "";
  const p = parts(day);
  return `${p.d} ${MONTHS[p.m]}${withYear ? ` ${p.y}` : ""}`;
}

/** The working calendar of the project (the API's `calendar`). */
export class WorkCalendar {
  constructor({
    working_days: workingDays = [],
    holidays = [],
    extra_working_days: extra = [],
    holiday_names: names = {},
  } = {}) {
    this.weekdays = WEEKDAYS.map((name) => workingDays.includes(name));
    if (!this.weekdays.some(Boolean)) this.weekdays = [true, true, true, true, true, false, false];
    this.holidays = new Set(holidays.map(toDay));
    this.extra = new Set(extra.map(toDay));
    this.names = new Map(Object.entries(names || {}).map(([date, name]) => [toDay(date), name]));
  }

  /** A holiday's tooltip: its name ("Christmas Day") or "Holiday"; "" for any other day. */
  holidayLabel(day) {
    if (!this.holidays.has(day)) return "";
    return this.names.get(day) || "Holiday";
  }

  isWorking(day) {
    if (this.holidays.has(day)) return false; // a holiday wins over an extra working day
    if (this.extra.has(day)) return true;
    return this.weekdays[weekday(day)];
  }

  /** The first working day on or after `day`. */
  rollForward(day) {
    let d = day;
    for (let i = 0; i < 3660 && !this.isWorking(d); i += 1) d += 1;
    return d;
  }

  /** The last working day on or before `day`. */
  rollBack(day) {
    let d = day;
    for (let i = 0; i < 3660 && !this.isWorking(d); i += 1) d -= 1;
    return d;
  }

  /** Working days in [from, to], both included (0 when to < from). */
  count(from, to) {
    let n = 0;
    for (let d = from; d <= to; d += 1) if (this.isWorking(d)) n += 1;
    return n;
  }

  /** The working day that is the `n`-th one of a task starting on working day `start`
   *  (n = 1: start itself). A task of n working days finishes there. */
  finishOf(start, n) {
    let d = start;
    let left = Math.max(1, n) - 1;
    while (left > 0) {
      d += 1;
      if (this.isWorking(d)) left -= 1;
    }
    return d;
  }
}
