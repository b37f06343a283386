// Labora's front-end entry point: HTMX for server round-trips, Alpine.js (CSP build) for
// local UI state. Every Alpine component is registered here with Alpine.data(); templates
// refer to them by name and use only property names and method calls (no inline code).
import htmx from "htmx.org";
import Alpine from "@alpinejs/csp";

import { installConfirm, installCopy, installCurrentTab, installOpeners, installToastEvents } from "./js/behaviours.js";
import { installBoard } from "./js/board.js";
import "./js/gantt/index.js"; // the Gantt chart (planning/gantt.html) starts itself
import { installCalendar } from "./js/calendar_view.js";
import { installChecklist } from "./js/checklist.js";
import { installComments } from "./js/comments.js";
import { installChat } from "./js/chat.js";
import { installLive } from "./js/live.js";
import "./js/relative_time.js"; // keeps "5 minutes ago" true on pages left open (starts itself)
import { installLiveViews } from "./js/live_views.js";
import "./js/inbox.js"; // registers Alpine.data("inbox") on alpine:init and the bell's live count
import dialog from "./js/dialog.js";
import drawer from "./js/drawer.js";
import menu from "./js/menu.js";
import palette from "./js/palette.js";
import shortcuts from "./js/shortcuts.js";
import tabs from "./js/tabs.js";
import taskPanel from "./js/task_panel.js";
import toast from "./js/toast.js";
import workList from "./js/work_list.js";

// CSP: style-src 'self' forbids the <style> element htmx would insert for indicators (our CSS
// defines .htmx-indicator), and script-src 'self' forbids eval (hx-on, js: values).
htmx.config.includeIndicatorStyles = false;
htmx.config.allowEval = false;
htmx.config.allowScriptTags = false;
// htmx copies these attributes from an element to its same-id replacement while settling; a
// "style" copied with setAttribute is an inline style the CSP (style-src 'self') refuses — e.g. a
// board card that SortableJS animated, replaced by a live refresh.
htmx.config.attributesToSettle = ["class", "width", "height"];
window.htmx = htmx;

// HTMX sends the CSRF token with every request: from the body's hx-headers (base.html), and
// as a fallback from the csrftoken meta tag for fragments outside <body hx-headers>.
document.addEventListener("htmx:configRequest", (event) => {
  const headers = event.detail.headers;
  if (!headers["X-CSRFToken"]) {
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) headers["X-CSRFToken"] = meta.content;
  }
});

Alpine.data("palette", palette);
Alpine.data("shortcuts", shortcuts);
Alpine.data("drawer", drawer);
Alpine.data("toast", toast);
Alpine.data("menu", menu);
Alpine.data("dialog", dialog);
Alpine.data("tabs", tabs);
Alpine.data("workList", workList);
Alpine.data("taskPanel", taskPanel);

installConfirm();
installToastEvents();
installOpeners();
installCopy();
installCurrentTab();
installBoard();
installCalendar();
installChecklist();
installComments();
installChat();
installLiveViews();
installLive();

window.Alpine = Alpine;
Alpine.start();
