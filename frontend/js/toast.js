// A flash message shown as a toast: it leaves by itself after data-timeout ms (default 5 s,
// paused while hovered or focused) and has a close button.
const LEAVE_MS = 200;

export default function toast() {
  return {
    leaving: false,
    timer: null,
    timeout: 5000,

    init() {
      const value = Number(this.$el.dataset.timeout);
      if (Number.isFinite(value) && value > 0) this.timeout = value;
      this.start(this.timeout);
    },

    start(ms) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.dismiss(), ms);
    },

    pause() {
      clearTimeout(this.timer);
    },

    resume() {
      this.start(Math.max(2000, this.timeout / 2));
    },

    dismiss() {
      if (this.leaving) return;
      clearTimeout(this.timer);
      this.leaving = true;
      const el = this.$el;
      setTimeout(() => el.remove(), LEAVE_MS);
    },

    toastClass() {
      return this.leaving ? "is-leaving" : "";
    },
  };
}
