/** "What should people call you?" before joining; shown again if the room refuses the name. */
import { DEFAULT_LIMITS } from "../../protocol/limits.ts";
import { normalizeName } from "../../protocol/validate.ts";
import { el, replaceChildren, uid } from "../dom.ts";
import { fieldError } from "../formError.ts";
import { loadName } from "../storage.ts";
import { crowdSentence } from "./memberList.ts";

export interface NameGateOptions {
  roomLabel: string;
  /** The name to show in the field; empty offers the name this browser remembers (if any), to take with Enter or change. */
  initialName: string;
  /** Why the last name did not work, if it did not. */
  error?: string;
  onName(name: string): void;
}

export function nameGate(options: NameGateOptions): {
  element: HTMLElement;
  /** Who is here; a crowd sends no names, only how many. */
  setOnline(names: readonly string[], online: number): void;
} {
  const id = uid("name");
  const offered = options.initialName || rememberedName();
  const input = el("input", {
    id,
    type: "text",
    required: true,
    autocomplete: "nickname",
    autocapitalize: "none",
    spellcheck: false,
    // The server's limit. It counts code points, maxlength UTF-16 units: a name of many emoji stops short of it (the safe side).
    maxlength: DEFAULT_LIMITS.NAME_MAX,
    value: offered,
    "aria-describedby": `${id}-error ${id}-hint`,
  });
  const error = el("p", { class: "form-error", id: `${id}-error`, role: "alert" });
  const problem = fieldError(input, error);
  const online = el("p", { class: "online-now" });
  const form = el(
    "form",
    { class: "card name-gate" },
    el("h2", {}, `Join ${options.roomLabel}`),
    online,
    el("label", { for: id }, "Your name"),
    el("div", { class: "input-row" }, input, el("button", { type: "submit", class: "button primary" }, "Join")),
    el("p", { class: "hint", id: `${id}-hint` }, "Shown next to your messages. This browser remembers it; /nick changes it later."),
    error,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const checked = normalizeName(input.value, DEFAULT_LIMITS.NAME_MAX);
    if (!checked.ok) return problem.show(`That name does not work: ${checked.error.message}.`);
    options.onName(checked.value);
  });
  const element = el("div", { class: "gate" }, form);
  // Focus once it is in the document; a name offered is selected, to take with Enter or replace by typing.
  queueMicrotask(() => {
    if (options.error) problem.show(options.error);
    else input.focus();
    if (offered) input.select();
  });
  return {
    element,
    setOnline(names, count) {
      replaceChildren(
        online,
        count === 0
          ? "Nobody is here right now."
          : names.length === 0
            ? crowdSentence(count)
            : `Here now: ${names.slice(0, 5).join(", ")}${names.length > 5 ? ` and ${names.length - 5} more` : ""}`,
      );
    },
  };
}

/** The name this browser remembers, if a room would take it. */
function rememberedName(): string {
  const name = loadName();
  const checked = name === null ? null : normalizeName(name, DEFAULT_LIMITS.NAME_MAX);
  return checked?.ok ? checked.value : "";
}
