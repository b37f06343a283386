// Client-side tabs (WAI-ARIA pattern). Markup inside x-data="tabs":
//   <div class="tabs" role="tablist"><button class="tab" role="tab" aria-controls="p1" aria-selected="true">
//   <div class="tab-panel" role="tabpanel" id="p1">...</div><div ... id="p2" hidden>
// For tabs that are pages, use links with aria-current="page" instead (no JS).
export default function tabs() {
  return {
    init() {
      this.tabs().forEach((tab) => {
        tab.addEventListener("click", () => this.select(tab));
        tab.addEventListener("keydown", (event) => this.onKeydown(event, tab));
      });
      const current = this.tabs().find((t) => t.getAttribute("aria-selected") === "true") || this.tabs()[0];
      if (current) this.select(current, false);
    },

    tabs() {
      return Array.from(this.$el.querySelectorAll('[role="tab"]'));
    },

    select(tab, focus = true) {
      for (const other of this.tabs()) {
        const selected = other === tab;
        other.setAttribute("aria-selected", selected ? "true" : "false");
        other.tabIndex = selected ? 0 : -1;
        const panel = document.getElementById(other.getAttribute("aria-controls"));
        if (panel) panel.hidden = !selected;
      }
      if (focus) tab.focus();
    },

    onKeydown(event, tab) {
      const all = this.tabs();
      const i = all.indexOf(tab);
      let next = null;
      if (event.key === "ArrowRight") next = all[(i + 1) % all.length];
      else if (event.key === "ArrowLeft") next = all[(i - 1 + all.length) % all.length];
      else if (event.key === "Home") next = all[0];
      else if (event.key === "End") next = all[all.length - 1];
      if (next) {
        event.preventDefault();
        this.select(next);
      }
    },
  };
}
