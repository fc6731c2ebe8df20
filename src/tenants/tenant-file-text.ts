import type { FormattingOptions } from 'jsonc-parser';

export interface NewTenant {
  id: string;
  name: string;
  hosts: string[];
  color: string;
  /** `$schema`, when a tenant.schema.json lies beside the file (editors then complete and check). */
  schema?: string | undefined;
}

/** Prettier's print width in this repository (.prettierrc.json), which formats tenants/*.json. */
const PRINT_WIDTH = 100;

/** Written in Prettier's JSON style, so `npm run format:check` accepts a new file as it is. */
export function newTenantFileText(tenant: NewTenant): string {
  const q = (value: string) => JSON.stringify(value);
  const flat = `  "hosts": [${tenant.hosts.map(q).join(', ')}],`;
  const hosts =
    flat.length <= PRINT_WIDTH
      ? [flat]
      : ['  "hosts": [', tenant.hosts.map((h) => `    ${q(h)}`).join(',\n'), '  ],'];
  return [
    '{',
    ...(tenant.schema === undefined ? [] : [`  "$schema": ${q(tenant.schema)},`]),
    `  "id": ${q(tenant.id)},`,
    `  "name": ${q(tenant.name)},`,
    ...hosts,
    '  "theme": {',
    `    "color": ${q(tenant.color)}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The indentation and line ends a file already uses, so an edit matches them. */
export function formattingOf(text: string): FormattingOptions {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return indent.startsWith('\t')
    ? { insertSpaces: false, tabSize: 1, eol }
    : { insertSpaces: true, tabSize: indent.length, eol };
}
