/** Parley's browser client: picks the page for the current URL. */
import { el, replaceChildren } from "./dom.ts";
import { showLanding } from "./landing.ts";
import { showRoom } from "./chat/roomPage.ts";
import { canonicalPath, routeFor } from "./route.ts";

function showProblem(root: HTMLElement, heading: string, text: string): void {
  document.title = `${heading} · Parley`;
  replaceChildren(
    root,
    el(
      "main",
      { class: "landing", id: "main" },
      el("header", { class: "hero" }, el("h1", {}, heading), el("p", { class: "tagline" }, text)),
      el("p", {}, el("a", { href: "/", class: "button primary" }, "Go to the start page")),
    ),
  );
}

function start(): void {
  const root = document.getElementById("app");
  if (!root) return;
  const route = routeFor(location.pathname);
  switch (route.page) {
    case "landing":
      return showLanding(root);
    case "room": {
      // `/r/LOBBY` and `/r/lobby/` are #lobby: the address bar says so (keeping any fragment: a message or owner link).
      const canonical = canonicalPath(location.pathname, route.address);
      if (canonical) history.replaceState(history.state, "", canonical + location.search + location.hash);
      return showRoom(root, route.address, () =>
        showProblem(root, "No such room", "This private room does not exist here. Check the link, or create a new room."),
      );
    }
    case "bad-room":
      return showProblem(root, "Not a room", "Room names are 1 to 64 characters: a-z, 0-9, - and _.");
    case "not-found":
      return showProblem(root, "Page not found", "There is nothing at this address.");
  }
}

start();
