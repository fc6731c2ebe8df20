import type { Tenant } from '../tenants/tenant.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';

export function errorPage(status: number, message: string, tenant: Tenant | undefined): string {
  const body = html`<h1>${status}</h1>
    <p>${message}</p>`;
  return layout({ title: String(status), tenant, body });
}
