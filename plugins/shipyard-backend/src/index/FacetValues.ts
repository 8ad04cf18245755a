import { intern } from './intern';
import { Entry } from './entries';

/** One distinct value of a facet, with the entries that have it. */
export interface FacetValue {
  value: string;
  id: number;
  entries: Set<Entry>;
}

/** The values of one facet, numbered so that counting can use plain arrays. */
export class FacetValues {
  readonly byValue = new Map<string, FacetValue>();
  readonly byId: Array<FacetValue | undefined> = [];
  private readonly free: number[] = [];

  /** `onValuesChanged` is called when a value appears or disappears (ids are reused). */
  constructor(private readonly onValuesChanged: () => void) {}

  get(value: string): FacetValue | undefined {
    return this.byValue.get(value);
  }

  add(value: string, entry: Entry): number {
    let fv = this.byValue.get(value);
    if (!fv) {
      const id = this.free.pop() ?? this.byId.length;
      fv = { value: intern(value), id, entries: new Set() };
      this.byValue.set(fv.value, fv);
      this.byId[id] = fv;
      this.onValuesChanged();
    }
    fv.entries.add(entry);
    return fv.id;
  }

  remove(id: number, entry: Entry): void {
    const fv = this.byId[id];
    if (!fv) return;
    fv.entries.delete(entry);
    if (fv.entries.size === 0) {
      this.byValue.delete(fv.value);
      this.byId[id] = undefined;
      this.free.push(id);
      this.onValuesChanged();
    }
  }
}
