// Keyboard helpers shared by the palette and the shortcuts.

/** True while the user types into a field: single-key shortcuts must not fire then. */
export function isTyping(event) {
  const el = event.target;
  if (!el || el === document.body) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (el.getAttribute("type") || "text").toLowerCase();
    return !["checkbox", "radio", "button", "submit", "reset", "file", "range", "color"].includes(type);
  }
  return false;
}

/** True when a modal dialog is open (the palette, the shortcuts list or any other). */
export function modalOpen() {
  return document.querySelector("dialog[open]") !== null;
}

export function isMac() {
  return /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent || "");
}
