/** Stable ids of the generated objects of workload clusters. */
import crypto from 'node:crypto';

/**
 * Hex MD5 of `text`, for the stable ids of generated objects. The one-shot hash: creating a Hash object for each of
 * the thousands of ids a fleet's nodes and pods need costs several times more.
 */
export function md5(text: string): string {
  return crypto.hash('md5', text, 'hex');
}

/** A stable object uid from `text`: its MD5 in the 8-4-4-4-12 layout of a UUID. */
export function md5Uid(text: string): string {
  return md5(text).replace(
    /^(.{8})(.{4})(.{4})(.{4})(.{12})$/,
    '$1-$2-$3-$4-$5',
  );
}
