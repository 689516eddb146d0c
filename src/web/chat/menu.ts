/**
 * A small menu button (the WAI-ARIA menu button pattern): Enter, Space or
 * the arrow keys open it on its first item, the arrows move, Escape closes
 * it and gives the focus back to the button, Tab or a click elsewhere closes
 * it. Its items are asked for each time it opens, so they follow what the
 * person may do now (owner or not, message deleted since…).
 *
 * An item with `items` opens those in the same place instead (the emoji of
 * "React", laid out as a grid: Left and Right move one, Up and Down a row); an item with
 * `checked` is a checkbox item (the reactions that are already yours).
 */
import { el, replaceChildren, uid } from "../dom.ts";

export interface MenuItem {
  label: string;
  run?(): void;
  items?: () => MenuItem[];
  checked?: boolean;
}

/** `label` names the button for screen readers ("Actions for this message"); `face` is what it shows. */
export function menuButton(label: string, face: string, items: () => MenuItem[]): HTMLElement {
  const id = uid("menu");
  const button = el("button", { type: "button", class: "menu-button", "aria-label": label, "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": id }, face);
  const menu = el("div", { id, class: "menu", role: "menu", "aria-label": label, hidden: true });
  const wrap = el("div", { class: "menu-wrap" }, button, menu);
  const entries = () => [...menu.querySelectorAll<HTMLButtonElement>("button")];

  function close(refocus: boolean): void {
    if (menu.hidden) return;
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    document.removeEventListener("pointerdown", outside, true);
    if (refocus) button.focus();
  }
  function outside(event: Event): void {
    if (!wrap.contains(event.target as Node)) close(false);
  }
  function show(list: MenuItem[], name: string, focusLast = false): void {
    menu.setAttribute("aria-label", name);
    menu.classList.toggle("grid", name !== label);
    replaceChildren(
      menu,
      ...list.map((item) => {
        const checkbox = item.checked !== undefined;
        const entry = el(
          "button",
          { type: "button", role: checkbox ? "menuitemcheckbox" : "menuitem", "aria-checked": checkbox && String(item.checked), tabindex: -1 },
          item.label,
        );
        entry.addEventListener("click", () => {
          if (item.items) return show(item.items(), item.label);
          close(true);
          item.run?.();
        });
        return entry;
      }),
    );
    const all = entries();
    (focusLast ? all.at(-1) : all[0])?.focus();
  }
  function open(focusLast = false): void {
    menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    document.addEventListener("pointerdown", outside, true);
    show(items(), label, focusLast);
  }

  button.addEventListener("click", () => (menu.hidden ? open() : close(true)));
  button.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    event.preventDefault();
    open(event.key === "ArrowUp");
  });
  menu.addEventListener("keydown", (event) => {
    const all = entries();
    const at = all.indexOf(document.activeElement as HTMLButtonElement);
    // In the emoji grid Up and Down go a row (as many as sit on the first line), stopping at the edges.
    const row = menu.classList.contains("grid") ? all.filter((entry) => entry.offsetTop === all[0]?.offsetTop).length : 0;
    const vertical = (step: number) => (row > 0 ? Math.max(0, Math.min(all.length - 1, at + step * row)) : at + step);
    const moves: Record<string, number> = { ArrowDown: vertical(1), ArrowRight: at + 1, ArrowUp: vertical(-1), ArrowLeft: at - 1, Home: 0, End: all.length - 1 };
    const move = moves[event.key];
    if (move !== undefined) {
      event.preventDefault();
      all[(move + all.length) % all.length]?.focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(true);
    } else if (event.key === "Tab") close(false);
  });
  return wrap;
}
