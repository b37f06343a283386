// The chart's writes: each gesture becomes one ordinary API request (PATCH a task, POST or DELETE
// a dependency, POST the schedule), sent with the version the row carried (If-Match). Success or
// refusal is said in a toast (the server's message: a cycle names its tasks), then the rows are
// fetched again. Mixed into the Gantt class (index.js).
import { shortDate, toDay, toIso } from "./dates.js";

import { csrfToken, toast } from "../requests.js";

export { csrfToken, toast };

export async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch (error) {
    // not JSON: fall through
  }
  return `The server refused the change (${response.status}).`;
}

export const writes = {
  // --- writes ----------------------------------------------------------------------------------

  taskUrl(key, suffix = "") {
    return this.root.dataset.taskUrl.replace("__KEY__", encodeURIComponent(key)) + suffix;
  },

  async send(method, url, body, version) {
    const headers = { "X-CSRFToken": csrfToken(), Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (version !== undefined && version !== null) headers["If-Match"] = String(version);
    try {
      return await fetch(url, {
        method,
        credentials: "same-origin",
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      toast("The change could not be saved: the server did not answer. Try again.", "error");
      return null;
    }
  },

  async patchTask(row, fields, done) {
    this.root.dataset.ganttBusy = "1";
    const response = await this.send("PATCH", this.taskUrl(row.key), fields, row.version);
    delete this.root.dataset.ganttBusy;
    if (response && response.ok) {
      this.announce(done);
      toast(done, "success");
    } else if (response) {
      toast(await errorMessage(response), "error");
    }
    this.reload(0);
  },

  commitMove(row, delta) {
    const start = this.calendar.rollForward(row.startDay + delta);
    let finish = start;
    if (!row.milestone) {
      const days = Math.max(1, this.calendar.count(row.startDay, row.finishDay));
      finish = this.calendar.finishOf(start, days);
    }
    this.previews.set(row.key, { start, finish });
    this.draw();
    this.patchTask(
      row,
      { start_date: toIso(start), due_date: toIso(finish) },
      `${row.key} moved to ${shortDate(start, true)} – ${shortDate(finish, true)}.`,
    );
  },

  commitResize(row, delta) {
    const finish = Math.max(row.startDay, this.calendar.rollBack(row.finishDay + delta));
    const days = Math.max(1, this.calendar.count(row.startDay, finish));
    const end = this.calendar.finishOf(this.calendar.rollForward(row.startDay), days);
    this.previews.set(row.key, { start: row.startDay, finish: end });
    this.draw();
    this.patchTask(
      row,
      { due_date: toIso(end), duration_days: days },
      `${row.key} now takes ${days} working day${days === 1 ? "" : "s"}, until ${shortDate(end, true)}.`,
    );
  },

  async createLink(predecessor, successor, type, lag = 0) {
    this.root.dataset.ganttBusy = "1";
    const response = await this.send("POST", this.taskUrl(successor, "/dependencies"), {
      predecessor,
      type,
      lag_days: lag,
    });
    delete this.root.dataset.ganttBusy;
    if (response && response.ok) {
      const message = `${successor} now waits for ${predecessor} (${type}).`;
      this.announce(message);
      toast(message, "success");
    } else if (response) {
      toast(await errorMessage(response), "error");
    }
    this.reload(0);
  },

  async deleteLink(id) {
    const link = this.links.find((l) => l.id === id);
    if (!link) return;
    const response = await this.send("DELETE", this.taskUrl(link.successor, `/dependencies/${encodeURIComponent(id)}`));
    if (response && (response.ok || response.status === 404)) {
      this.lastDeleted = link;
      this.selectedLink = null;
      toast(`Removed ${link.predecessor} → ${link.successor} (${link.type}). Press Ctrl+Z to put it back.`, "success");
    } else if (response) {
      toast(await errorMessage(response), "error");
    }
    this.reload(0);
  },

  async scheduleNow(button) {
    button.disabled = true;
    const response = await this.send("POST", this.root.dataset.scheduleUrl, {});
    button.disabled = false;
    if (response && response.ok) {
      const body = await response.json();
      const conflicts = body.conflicts.length ? `, ${body.conflicts.length} conflict${body.conflicts.length === 1 ? "" : "s"}` : "";
      toast(
        `Scheduled: finishes ${shortDate(toDay(body.finish_date), true)}, ${body.critical_path.length} critical task${body.critical_path.length === 1 ? "" : "s"}${conflicts}.`,
        "success",
      );
    } else if (response) {
      toast(await errorMessage(response), "error");
    }
    this.reload(0);
  },
};
