import { fieldId } from './form-fields.ts';
import { attributes, html, type SafeHtml } from './html.ts';

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectFieldOptions {
  name: string;
  label: string;
  options: readonly SelectOption[];
  /** The option selected; default the first. */
  value?: string | undefined;
  hint?: string;
  error?: string | undefined;
  /** Default fieldId(name); give one of its own when a page has several of the same name. */
  id?: string;
  /** The label read but not shown, where the row around the field already says what it is. */
  hiddenLabel?: boolean;
}

/** A labelled drop-down with its hint and error tied to it, as `field` does for inputs. */
export function selectField(options: SelectFieldOptions): SafeHtml {
  const { name, label, hint, error, value, hiddenLabel = false } = options;
  const id = options.id ?? fieldId(name);
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  const attrs = attributes({
    id,
    name,
    class: error ? 'form-input form-input--error' : 'form-input',
    'aria-describedby': described,
    'aria-invalid': error ? 'true' : undefined,
  });
  return html`<div class="form-group${error ? ' form-group--error' : ''}">
    <label class="${hiddenLabel ? 'visually-hidden' : 'form-label'}" for="${id}">${label}</label>
    ${hint ? html`<p class="form-hint" id="${id}-hint">${hint}</p>` : ''}
    ${
      error
        ? html`<p class="form-error" id="${id}-error">
            <span class="visually-hidden">Error:</span> ${error}
          </p>`
        : ''
    }
    <select${attrs}>
      ${options.options.map(
        (option) =>
          html`<option${attributes({ value: option.value, selected: option.value === value })}>
            ${option.label}
          </option>`,
      )}
    </select>
  </div>`;
}
