/** "(3) #lobby · Parley" while the tab is hidden and messages arrive. */

export class UnreadTitle {
  #base: string;
  #unread = 0;

  constructor(base: string) {
    this.#base = base;
    document.title = base;
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.#set(0);
    });
  }

  /** The room goes by another name now (a private room's topic). */
  rename(base: string): void {
    this.#base = base;
    this.#set(this.#unread);
  }

  /** A message from someone else arrived. */
  count(): void {
    if (document.hidden) this.#set(this.#unread + 1);
  }

  #set(unread: number): void {
    this.#unread = unread;
    document.title = unread > 0 ? `(${unread}) ${this.#base}` : this.#base;
  }
}
