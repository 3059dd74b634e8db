/**
 * The reading list: papers the user saved (from the corpus or their collections), kept in the
 * collections database. One list per page, shared by the results (Save) and the panel (the list
 * and "Recommended from your list"); it works in memory until the store is attached.
 */
import type { CollectionStore } from '../store/collection-store';

class ReadingList {
  ids = $state.raw<string[]>([]);
  private store: CollectionStore | null = null;

  async attach(store: CollectionStore): Promise<void> {
    this.store = store;
    const stored = (await store.readingList()).map((e) => e.id);
    const pending = this.ids.filter((id) => !stored.includes(id));
    for (const id of pending) await store.setOnList(id, true);
    this.ids = [...stored, ...pending];
  }

  has(id: string): boolean {
    return this.ids.includes(id);
  }

  async toggle(id: string): Promise<void> {
    const on = !this.has(id);
    this.ids = on ? [...this.ids, id] : this.ids.filter((x) => x !== id);
    await this.store?.setOnList(id, on);
  }

  /** Puts these papers on the list (those already on it stay where they are); how many were added. */
  async add(ids: readonly string[]): Promise<number> {
    const fresh = [...new Set(ids)].filter((id) => !this.has(id));
    this.ids = [...this.ids, ...fresh];
    for (const id of fresh) await this.store?.setOnList(id, true);
    return fresh.length;
  }

  /** Forgets papers that no longer exist (their collection was deleted). */
  async drop(ids: Set<string>): Promise<void> {
    const gone = this.ids.filter((id) => ids.has(id));
    if (gone.length === 0) return;
    this.ids = this.ids.filter((id) => !ids.has(id));
    for (const id of gone) await this.store?.setOnList(id, false);
  }
}

export const readingList = new ReadingList();
