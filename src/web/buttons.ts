import { html, type SafeHtml } from './html.ts';

export interface ButtonOptions {
  /**
   * What the button acts on, for whoever cannot see the row it sits in: read after the visible
   * text and hidden on screen ("End" + " the session on Safari on iOS"), GOV.UK's pattern.
   */
  about?: string;
  /** `secondary` for the quieter actions beside the main one. Default `primary`. */
  kind?: 'primary' | 'secondary';
}

/** A submit button named for what it does. */
export function button(text: string, { about, kind = 'primary' }: ButtonOptions = {}): SafeHtml {
  const hidden = about ? html`<span class="visually-hidden"> ${about}</span>` : '';
  const classes = kind === 'secondary' ? 'button button--secondary' : 'button';
  return html`<button type="submit" class="${classes}">${text}${hidden}</button>`;
}

export interface PostButtonOptions extends ButtonOptions {
  /** Where the form posts. */
  action: string;
  /** Hidden fields sent with it. */
  fields?: Record<string, string>;
}

/** A form of one button that POSTs to `action`: how a page deletes or ends (forms cannot DELETE). */
export function postButton(text: string, { action, fields = {}, ...options }: PostButtonOptions) {
  return html`<form class="button-form" method="post" action="${action}">
    ${Object.entries(fields).map(
      ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
    )}${button(text, options)}
  </form>`;
}
