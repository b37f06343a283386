// What every script that writes with fetch() needs: the CSRF token of the page (the meta tag the
// layout renders, or a form's hidden input) and a way to say the outcome in a toast (the shell's
// toast stack listens for "labora:toast"; components/_toasts.html).

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) return meta.content;
  const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
  return input ? input.value : "";
}

export function toast(message, level = "info") {
  window.dispatchEvent(new CustomEvent("labora:toast", { detail: { message, level } }));
}
