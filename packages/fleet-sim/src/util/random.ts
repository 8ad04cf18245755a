import crypto from 'node:crypto';

/** A 32-bit string hash (FNV-1a). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A small, fast, seeded pseudo-random generator (mulberry32). */
export class Random {
  private state: number;

  constructor(seed: number | string) {
    this.state = typeof seed === 'number' ? seed >>> 0 : hash32(seed);
    if (this.state === 0) this.state = 0x9e3779b9;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(minInclusive: number, maxInclusive: number): number {
    return (
      minInclusive + Math.floor(this.next() * (maxInclusive - minInclusive + 1))
    );
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by weight; `weights` pairs each item with a positive weight. */
  weighted<T>(weights: ReadonlyArray<readonly [T, number]>): T {
    const total = weights.reduce((n, [, w]) => n + w, 0);
    let x = this.next() * total;
    for (const [item, w] of weights) {
      x -= w;
      if (x < 0) return item;
    }
    return weights[weights.length - 1][0];
  }

  /** Lowercase consonant/digit suffix as Kubernetes generateName uses. */
  suffix(length = 5): string {
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    let out = '';
    for (let i = 0; i < length; i++)
      out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++)
      out += Math.floor(this.next() * 16).toString(16);
    return out;
  }

  fork(label: string): Random {
    return new Random(hash32(`${this.state}:${label}`));
  }
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const UID_TEXT = Buffer.alloc(36);

/**
 * A stable UUID (version 4 layout) derived from a string: the first 128 bits of its SHA-1 with the version and
 * variant bits set. The store keeps one per object and owner reference: it is written into one buffer and read
 * out as one flat string, which takes a fifth of the memory of a string joined from slices of the hex digest.
 */
export function stableUid(text: string): string {
  const h = crypto.hash('sha1', text, 'buffer');
  h[6] = (h[6] & 0x0f) | 0x40;
  h[8] = (h[8] & 0x3f) | 0x80;
  let o = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) UID_TEXT[o++] = 0x2d;
    UID_TEXT[o++] = HEX_DIGITS[h[i] >> 4];
    UID_TEXT[o++] = HEX_DIGITS[h[i] & 15];
  }
  return UID_TEXT.toString('latin1');
}
