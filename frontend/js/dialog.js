// A modal dialog around a native <dialog x-ref="dialog">: show/hide, closes on Esc (native)
// and on a click on the backdrop. Open it with @click="show" on any button inside x-data.
export default function dialog() {
  return {
    init() {
      if (this.$el.dataset.open === "true") this.$nextTick(() => this.show());
    },

    show() {
      const el = this.$refs.dialog;
      if (!el.open) el.showModal();
      const autofocus = el.querySelector("[autofocus]");
      if (autofocus) autofocus.focus();
    },

    hide() {
      const el = this.$refs.dialog;
      if (el.open) el.close();
    },

    onBackdropClick(event) {
      if (event.target === this.$refs.dialog) this.hide();
    },
  };
}
