import { fieldId, formGroup } from './form-fields.ts';
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
  const id = options.id ?? fieldId(options.name);
  return formGroup(
    { ...options, id },
    (attrs) => html`<select${attributes(attrs)}>
      ${options.options.map(
        (option) =>
          html`<option${attributes({ value: option.value, selected: option.value === options.value })}>
            ${option.label}
          </option>`,
      )}
    </select>`,
  );
}
