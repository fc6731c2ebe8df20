import { domainToUnicode } from 'node:url';
import type { Tenant } from '../tenants/tenant.ts';
import { button, postButton } from '../web/buttons.ts';
import { errorSummary, field } from '../web/form-fields.ts';
import { problemFor, type FormProblem } from '../web/forms.ts';
import { html, type SafeHtml } from '../web/html.ts';
import { utcMinute } from '../web/text.ts';
import type { Domain } from './domain.ts';
import { MAX_DOMAIN_LENGTH, recordNameOf } from './domain-name.ts';

export interface DomainsPageOptions {
  domains: Domain[];
  maxPerTenant: number;
  /** Why the last form was refused, with the domain that was typed, so nothing is lost. */
  problems?: FormProblem[];
  draft?: string | undefined;
}

const LABELS = { pending: 'Pending', verified: 'Verified', suspended: 'Suspended' } as const;

/** A tenant's own domains: each one's state and the record to publish, and the forms to change them. */
export function domainsPage(tenant: Tenant, options: DomainsPageOptions): SafeHtml {
  const { domains, maxPerTenant, problems = [], draft } = options;
  return html`${errorSummary(problems)}
    <h1>Your domains</h1>
    <p>
      Serve <strong>${tenant.name}</strong> at a domain of your own too: add it, publish the TXT
      record shown in the domain’s DNS, point the domain at this service, then verify. A verified
      domain is served within seconds, over HTTPS with its own certificate.
    </p>
    <form class="form" method="post" action="/admin/domains">
      ${field({
        name: 'domain',
        label: 'Domain',
        hint: 'Such as shop.example.com.',
        maxLength: MAX_DOMAIN_LENGTH + 1,
        autocomplete: 'off',
        required: true,
        value: draft,
        error: problemFor(problems, 'domain'),
      })}
      <div>${button('Add domain')}</div>
    </form>
    ${
      domains.length === 0
        ? html`<p>No domains yet.</p>`
        : html`<ul class="item-list">
            ${domains.map(domainItem)}
          </ul>`
    }
    <p class="meta">${domains.length} of ${maxPerTenant} domains.</p>`;
}

function domainItem(d: Domain): SafeHtml {
  const path = `/admin/domains/${d.domain}`;
  return html`<li data-testid="domain" data-status="${d.status}">
    <div class="item-list__body">
      <h2 class="item-list__text domain-name">
        ${d.domain}${unicodeOf(d.domain)}
        <span class="tag tag--${d.status}">${LABELS[d.status]}</span>
      </h2>
      <p class="meta">${stateOf(d)}</p>
      <dl class="dns-record">
        <dt>Type</dt>
        <dd>TXT</dd>
        <dt>Name</dt>
        <dd><code>${recordNameOf(d.domain)}</code></dd>
        <dt>Value</dt>
        <dd><code>${d.token}</code></dd>
      </dl>
      ${d.checkProblem && d.checkedAt ? html`<p>Checked ${at(d.checkedAt)}: ${d.checkProblem}</p>` : ''}
    </div>
    <div class="button-group">
      ${d.status === 'verified' ? '' : postButton('Verify', { action: `${path}/verify`, about: d.domain })}
      ${postButton('Remove', { action: `${path}/delete`, about: d.domain, kind: 'secondary' })}
    </div>
  </li>`;
}

function stateOf(d: Domain): SafeHtml | string {
  if (d.status === 'pending') return 'Not served yet: publish this record, then verify.';
  if (d.status === 'suspended') {
    return html`Not served since the record went
    missing${d.missingSince ? html` (${at(d.missingSince)})` : ''}: publish it again, then verify.`;
  }
  if (d.missingSince) {
    return html`Served, but the record has been missing since ${at(d.missingSince)}: publish it
    again before the domain is suspended.`;
  }
  return html`Served${d.verifiedAt ? html` since ${at(d.verifiedAt)}` : ''}. Keep the record
  published: it is checked again from time to time.`;
}

/** An internationalised name as people read it, beside the punycode that is published. */
function unicodeOf(domain: string): string {
  const unicode = domainToUnicode(domain);
  return unicode === domain ? '' : ` (${unicode})`;
}

const at = (date: Date) => {
  const iso = date.toISOString();
  return html`<time datetime="${iso}">${utcMinute(iso)}</time>`;
};
