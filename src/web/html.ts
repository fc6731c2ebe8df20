import escapeHtml from 'escape-html';

/** Markup that is already safe; only `html` makes it. */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

type Value = SafeHtml | string | number | undefined | null | false | readonly Value[];

function render(value: Value): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template: every interpolated value is HTML-escaped unless it is itself `html`. */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  return new SafeHtml(
    strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]) : ''), ''),
  );
}

/**
 * ` name="value"` for each entry, values escaped: `true` gives a bare attribute (`required`),
 * `false`, `undefined` and `''` leave it out. Names come from code, never from input.
 */
export function attributes(entries: Record<string, string | number | boolean | undefined>) {
  return new SafeHtml(
    Object.entries(entries)
      .filter(([, value]) => value !== undefined && value !== false && value !== '')
      .map(([name, value]) => (value === true ? ` ${name}` : ` ${name}="${render(String(value))}"`))
      .join(''),
  );
}
