/*
 * Time limits that judge the peer, not this process. A Node.js timer that expires while the event loop is busy (a long
 * synchronous task, a garbage collection, a CPU-starved process) runs in the loop's timers phase, before the poll
 * phase reads the sockets: an answer that arrived on time, and waits in the socket, would be judged missing. These
 * limits run their expiry only after the I/O that was ready by then has been read (one turn of the loop later, in
 * the check phase), and stand down when that I/O cleared them. Node's timers offer no such option, hence this file.
 */

/** A time limit that can be cleared until it has expired. */
export interface IoTimeout {
  clear(): void;
}

/**
 * Runs `onExpiry` once `ms` have passed, unless cleared before; when it expires, the I/O already received is read
 * first (which may clear it). The timer does not keep the process alive.
 */
export function ioTimeout(ms: number, onExpiry: () => void): IoTimeout {
  let cleared = false;
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => {
    immediate = setImmediate(() => {
      immediate = undefined;
      if (!cleared) onExpiry();
    });
    immediate.unref?.();
  }, ms);
  timer.unref?.();
  return {
    clear() {
      cleared = true;
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
    },
  };
}
