import { html, type SafeHtml } from './html.ts';

/**
 * Someone's text with its line breaks kept as `<br />`, so no stylesheet needs `white-space:
 * pre-wrap` (which also shows the indentation a formatter gives the markup around it).
 */
export function multiline(text: string): SafeHtml {
  return html`${text.split(/\r\n|\r|\n/).map((line, i) => (i === 0 ? line : html`<br />${line}`))}`;
}

/** The start of `text` on one line, cut at a word: to name a thing in a button. */
export function excerpt(text: string, maxLength = 30): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= maxLength) return flat;
  const cut = flat.slice(0, maxLength);
  const space = cut.lastIndexOf(' ');
  return `${(space > maxLength / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** An ISO time to the minute, as every page and email shows one: `2026-12-07 02:58 UTC`. */
export const utcMinute = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
