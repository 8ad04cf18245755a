/**
 * What an error may tell a user of the portal (an API response, a scaffolder task log): its kind and message, never
 * stack frames, the absolute paths of source files, or the addresses of management and workload clusters. The full
 * error stays in the backend's logs.
 */

/** URLs, with any scheme the backends speak. */
const URLS = /\b(?:https?|wss?):\/\/[^\s"'<>()]+/g;
/** `host:port` of an IPv4 address or a host name, and bracketed IPv6 addresses with a port. */
const HOST_PORTS =
  /(?<![\w./-])(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|localhost|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+):\d{2,5}\b/g;
/** Absolute paths of files (source, configuration) and of the usual system folders, with line numbers. */
const FILE_PATHS =
  /(?:(?<![\w.])\/(?:[\w.@+-]+\/)*[\w.@+-]+\.(?:[cm]?[jt]sx?|json|ya?ml|node)(?::\d+)*|(?<![\w.])\/(?:home|work|tmp|usr|opt|var|root|srv|app|Users|private)\/[^\s"'<>()]*|\b[A-Za-z]:\\[^\s"'<>()]+)/g;

/** `text` with URLs, `host:port` addresses and absolute file paths replaced by what they stand for. */
export function redactInternals(text: string): string {
  return text
    .replace(URLS, '<address>')
    .replace(HOST_PORTS, '<address>')
    .replace(FILE_PATHS, '<path>');
}

/**
 * Makes an error fit for a user, in place, and returns it: its message redacted ({@link redactInternals}) and its
 * stack only `Name: message`, so that whatever prints the stack (the scaffolder writes a failed step's stack into
 * the task log) shows no frames. The class, status code and other fields stay, so error handling still works.
 */
export function toUserFacingError<E extends Error>(error: E): E {
  const message = redactInternals(String(error.message ?? ''));
  try {
    error.message = message;
    error.stack = `${error.name}: ${message}`;
  } catch {
    // a frozen error: nothing to change
  }
  return error;
}
