/**
 * "(3) #lobby · Parley" while the tab is hidden and messages arrive; once
 * one of them mentions this member, "(@1) #lobby · Parley" (how many
 * mention them), so a mention stands out among the tabs.
 */

export class UnreadTitle {
  #base: string;
  #unread = 0;
  #mentions = 0;

  constructor(base: string) {
    this.#base = base;
    document.title = base;
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.#set(0, 0);
    });
  }

  /** The room goes by another name now (a private room's topic). */
  rename(base: string): void {
    this.#base = base;
    this.#set(this.#unread, this.#mentions);
  }

  /** A message from someone else arrived; `mention`: it mentions this member. */
  count(mention = false): void {
    if (document.hidden) this.#set(this.#unread + 1, this.#mentions + (mention ? 1 : 0));
  }

  #set(unread: number, mentions: number): void {
    this.#unread = unread;
    this.#mentions = mentions;
    document.title = mentions > 0 ? `(@${mentions}) ${this.#base}` : unread > 0 ? `(${unread}) ${this.#base}` : this.#base;
  }
}
