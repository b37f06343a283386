// Live updates (docs/api.md, "Live updates"): one websocket per page that declares a workspace
// (<main data-live-workspace="acme">, from layouts/app.html). Every event the server sends is
// dispatched on document as a CustomEvent "labora:live" whose detail is the message
// ({id, event, workspace, project, task, actor, at, data}); views react to it (live_views.js).
//
// A dropped connection reconnects with exponential back-off and jitter and resumes after the
// last event id it saw ({"resume_after": id}), so nothing is lost; ids already seen are
// skipped, so nothing is shown twice. Refusals (4401 not signed in, 4403 not a member, 4404)
// are final: no reconnect. Presence: a page that shows one task (data-live-task="OPS-12")
// tells the server, and lists the other viewers in [data-live-presence] when the page has one.
// The task side panel of the list, the board and My work (task_panel.js) does the same: it
// dispatches "labora:presence" {task: "OPS-12"} when it shows a task and {task: null} when it
// closes; the page then views that task (or its own again, or none) until told otherwise.
// Pushes meant for this user only ({"user": {...}}) are dispatched as "labora:live-user".

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30000;
const FINAL_CODES = new Set([4401, 4403, 4404]);
const REMEMBERED = 2000;

function emit(name, detail) {
  document.dispatchEvent(new CustomEvent(name, { detail }));
}

/** Back-off for the n-th consecutive failure: doubles from 0.5 s up to 30 s, with "equal
 * jitter" (half fixed, half random) so a restarted server is not hit by every tab at once. */
export function backoffDelay(attempt, random = Math.random) {
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function renderPresence(container, message, me) {
  const viewers = (message.viewers || []).filter((v) => !me || v.id !== me.id);
  container.replaceChildren();
  container.hidden = viewers.length === 0;
  if (!viewers.length) return;
  const label = document.createElement("span");
  label.className = "live-presence-label";
  label.textContent = "Also viewing:";
  container.append(label);
  for (const viewer of viewers) {
    const badge = document.createElement("span");
    badge.className = "avatar avatar-xs live-presence-avatar";
    badge.title = viewer.name;
    badge.textContent = viewer.initials || "?";
    badge.setAttribute("aria-label", viewer.name);
    container.append(badge);
  }
}

export function installLive() {
  const root = document.querySelector("[data-live-workspace]");
  if (!root || !("WebSocket" in window)) return null;
  const workspace = root.dataset.liveWorkspace;
  const pageTask = root.dataset.liveTask || null;
  let task = pageTask; // the task this page tells the server it views (presence)
  const protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
  const url = `${protocol}//${window.location.host}/api/v1/workspaces/${encodeURIComponent(workspace)}/live`;

  let socket = null;
  let lastId = null; // the newest event id seen; null until the first hello
  let attempt = 0;
  let timer = null;
  let stopped = false;
  let me = null;
  const seen = new Set();

  function remember(id) {
    seen.add(id);
    if (seen.size > REMEMBERED) seen.delete(seen.values().next().value);
    if (lastId === null || id > lastId) lastId = id;
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function onMessage(raw) {
    let message;
    try {
      message = JSON.parse(raw.data);
    } catch (error) {
      return;
    }
    if (message.hello) {
      me = message.hello.user;
      attempt = 0;
      if (lastId === null) lastId = message.hello.last_event;
      else send({ resume_after: lastId });
      if (task) send({ presence: { task } });
      root.dataset.liveState = "open";
      emit("labora:live-status", { state: "open" });
    } else if (typeof message.id === "number" && message.event) {
      if (seen.has(message.id)) return;
      remember(message.id);
      emit("labora:live", message);
    } else if (message.resumed) {
      if (lastId === null || message.resumed.last_event > lastId) lastId = message.resumed.last_event;
    } else if (message.presence) {
      // An answer about a task this page has left since (a quick switch) is stale: ignore it.
      if (message.presence.task === task || (!message.presence.task && !task)) {
        document.querySelectorAll("[data-live-presence]").forEach((container) => {
          renderPresence(container, message.presence, me);
        });
      }
      emit("labora:live-presence", message.presence);
    } else if (message.user !== undefined && !message.hello) {
      // A push for this user only (live.subscribers.send_to_user), e.g. an inbox count.
      emit("labora:live-user", message.user);
    } else if (message.error) {
      emit("labora:live-error", message.error);
    }
  }

  function connect() {
    timer = null;
    if (stopped) return;
    socket = new WebSocket(url);
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", (event) => {
      socket = null;
      root.dataset.liveState = "closed";
      emit("labora:live-status", { state: "closed", code: event.code, reason: event.reason });
      if (stopped || FINAL_CODES.has(event.code)) return;
      timer = window.setTimeout(connect, backoffDelay(attempt));
      attempt += 1;
    });
  }

  function reconnectNow() {
    if (stopped || socket) return;
    if (timer) window.clearTimeout(timer);
    connect();
  }

  /** View another task (the side panel), or none: null goes back to the page's own task. */
  function view(key) {
    const next = key || pageTask;
    if (next === task) return;
    task = next;
    document.querySelectorAll("[data-live-presence]").forEach((container) => {
      container.replaceChildren();
      container.hidden = true;
    });
    send({ presence: { task } }); // not connected: the hello sends it
  }

  document.addEventListener("labora:presence", (event) => view((event.detail || {}).task || null));
  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") reconnectNow();
  });
  window.addEventListener("pagehide", () => {
    stopped = true;
    if (socket) socket.close(1000, "page left");
  });
  connect();
  const api = {
    send,
    get lastId() {
      return lastId;
    },
    get state() {
      return socket ? socket.readyState : WebSocket.CLOSED;
    },
  };
  window.laboraLive = api;
  return api;
}

export default installLive;
