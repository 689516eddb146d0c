/**
 * A form field's error: shown in the error paragraph the field's
 * `aria-describedby` names, with `aria-invalid` on the field while it stands,
 * and cleared as soon as the field is edited.
 */
export function fieldError(input: HTMLInputElement, error: HTMLElement): { show(text: string): void; clear(): void } {
  if (!error.id) throw new Error("the error needs an id for aria-describedby");
  const describedBy = (input.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean);
  if (!describedBy.includes(error.id)) input.setAttribute("aria-describedby", [...describedBy, error.id].join(" "));
  const clear = () => {
    input.removeAttribute("aria-invalid");
    error.textContent = "";
  };
  input.addEventListener("input", () => {
    if (input.getAttribute("aria-invalid") === "true") clear();
  });
  return {
    show(text) {
      input.setAttribute("aria-invalid", "true");
      error.textContent = text;
      input.focus();
    },
    clear,
  };
}
