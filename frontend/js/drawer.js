// The sidebar as an off-canvas drawer on phones (< 800px). On wider screens it is always shown.
export default function drawer() {
  return {
    open: false,
    desktop: true,

    init() {
      const media = window.matchMedia("(min-width: 800px)");
      this.desktop = media.matches;
      media.addEventListener("change", () => {
        this.desktop = media.matches;
        if (media.matches) this.close();
      });
      this.$watch("open", (value) => {
        document.body.classList.toggle("drawer-open", value);
        if (value) {
          this.$nextTick(() => {
            const first = this.$refs.sidebar.querySelector("a[href], button:not([disabled])");
            if (first) first.focus();
          });
        }
      });
    },

    toggle() {
      this.open = !this.open;
    },

    show() {
      this.open = true;
    },

    close() {
      if (!this.open) return;
      this.open = false;
      if (this.$refs.opener) this.$refs.opener.focus();
    },

    onEscape() {
      if (this.open && !document.querySelector("dialog[open]")) this.close();
    },

    onNavigate(event) {
      // Following a link in the drawer closes it (the page may be served from bfcache).
      if (event.target.closest("a[href]")) this.open = false;
    },

    sidebarClass() {
      return this.open ? "is-open" : "";
    },

    expanded() {
      return this.open ? "true" : "false";
    },

    hiddenOnPhone() {
      // aria-hidden for the drawer while closed on phones; never on desktop.
      return this.open || this.desktop ? "false" : "true";
    },
  };
}
