import type { FormProblem } from './forms.ts';
import { attributes, html, type SafeHtml } from './html.ts';

export interface FieldOptions {
  name: string;
  label: string;
  /** Help shown under the label, read with the field. */
  hint?: string;
  /** What is wrong with the value (problemFor(problems, name)). */
  error?: string | undefined;
  value?: string | undefined;
  type?: 'text' | 'password' | 'email' | 'url' | 'tel' | 'search';
  autocomplete?: string;
  required?: boolean;
  maxLength?: number;
  /** A textarea of this many rows instead of a one-line input. */
  rows?: number;
  id?: string;
}

/** The id of a field's input, which its label and the error summary point to. */
export const fieldId = (name: string) => `field-${name}`;

export interface GroupOptions {
  id: string;
  name: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  /** The label read but not shown, where the row around the field already says what it is. */
  hiddenLabel?: boolean | undefined;
}

/**
 * GOV.UK's form group: label, hint and error tied to the control by aria-describedby; `control`
 * renders the input, textarea or select with the attributes it is given.
 */
export function formGroup(
  { id, name, label, hint, error, hiddenLabel = false }: GroupOptions,
  control: (attrs: Record<string, string | number | boolean | undefined>) => SafeHtml,
): SafeHtml {
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  const attrs = {
    id,
    name,
    class: error ? 'form-input form-input--error' : 'form-input',
    'aria-describedby': described,
    'aria-invalid': error ? 'true' : undefined,
  };
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
    ${control(attrs)}
  </div>`;
}

/** A labelled input (a textarea with `rows`): GOV.UK's text input pattern, through formGroup. */
export function field(options: FieldOptions): SafeHtml {
  const { value = '', type = 'text', rows } = options;
  const id = options.id ?? fieldId(options.name);
  return formGroup({ ...options, id }, (base) => {
    const attrs = attributes({
      ...base,
      autocomplete: options.autocomplete,
      maxlength: options.maxLength,
      required: options.required,
    });
    return rows
      ? // The newline after <textarea> is dropped by the HTML parser, so a value's own survives.
        html`<textarea${attrs} rows="${rows}">${'\n'}${value}</textarea>`
      : html`<input${attrs} type="${type}" value="${type === 'password' ? '' : value}" />`;
  });
}

/** GOV.UK's error summary for a refused form: each problem about a field links to it. */
export function errorSummary(problems: readonly FormProblem[] = [], idOf = fieldId): SafeHtml {
  if (problems.length === 0) return html``;
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title">
    <h2 class="error-summary__title" id="error-summary-title">There is a problem</h2>
    <ul class="error-summary__list">
      ${problems.map(({ field, message }) =>
        field === undefined
          ? html`<li>${message}</li>`
          : html`<li><a href="#${idOf(field)}">${message}</a></li>`,
      )}
    </ul>
  </div>`;
}
