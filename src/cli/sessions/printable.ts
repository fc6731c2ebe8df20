/**
 * C0 controls, DEL and C1 controls (a terminal acts on them: CSI moves the cursor or clears the
 * screen, OSC sets titles or writes the clipboard), and the backslash that escapes them.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f]/g;

/** A string a client chose (a browser description, an address), safe to print: `\xNN`, `\\`. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) =>
    c === '\\' ? '\\\\' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

const RAW_IN_JSON = /[\u007f-\u009f]/g;

/**
 * JSON for scripts, also safe on a terminal: JSON.stringify escapes C0 controls but prints DEL and
 * C1 controls raw, so those become `\u00NN` too (the same JSON value).
 */
export function printableJson(data: unknown): string {
  return JSON.stringify(data, null, 2).replace(
    RAW_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
