import { html, type SafeHtml } from './html.ts';

export interface ButtonOptions {
  /** Read after the text, not shown, for whoever cannot see the row ("End" + " the session …"). */
  about?: string;
  kind?: 'primary' | 'secondary';
}

export function button(text: string, { about, kind = 'primary' }: ButtonOptions = {}): SafeHtml {
  const hidden = about ? html`<span class="visually-hidden"> ${about}</span>` : '';
  const classes = kind === 'secondary' ? 'button button--secondary' : 'button';
  return html`<button type="submit" class="${classes}">${text}${hidden}</button>`;
}

export interface PostButtonOptions extends ButtonOptions {
  action: string;
  fields?: Record<string, string>;
}

/** A one-button form: how a page deletes or ends something, since forms cannot DELETE. */
export function postButton(text: string, { action, fields = {}, ...options }: PostButtonOptions) {
  return html`<form class="button-form" method="post" action="${action}">
    ${Object.entries(fields).map(
      ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
    )}${button(text, options)}
  </form>`;
}
