import { describe, expect, it } from 'vitest';
import type { Tenant } from '../src/tenants/tenant.ts';
import { html } from '../src/web/html.ts';
import { loginPage } from '../src/auth/login-page.ts';
import { homePage } from '../src/features/home/home-page.ts';
import { layout } from '../src/web/layout.ts';

const evil: Tenant = {
  id: 'evil',
  name: '<script>alert(1)</script> & "Co"',
  hosts: ['evil.localhost'],
  color: '#000000',
  session: {},
  ownSecrets: undefined,
  file: 'evil.json',
};

describe('server-rendered HTML', () => {
  it('when values hold markup, then they are escaped', () => {
    expect(html`<p>${'<b>&"\''}</p>`.value).toBe('<p>&lt;b&gt;&amp;&quot;&#39;</p>');
    expect(html`<p>${html`<b>${'<i>'}</b>`}</p>`.value).toBe('<p><b>&lt;i&gt;</b></p>');
  });

  it('when a tenant name or user input holds markup, then pages show it as text', () => {
    const user = {
      id: '00000000-0000-4000-8000-000000000000',
      username: 'x',
      displayName: '<img src=x onerror=alert(1)>',
      role: 'member' as const,
    };
    const home = layout({ title: 'Home', tenant: evil, user, body: homePage(evil, user) });
    expect(home).not.toContain('<script>alert');
    expect(home).not.toContain('<img src=x');
    expect(home).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;');
    const form = loginPage(evil, { username: '"><script>x</script>', error: '<b>no</b>' }).value;
    expect(form).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(form).toContain('&lt;b&gt;no&lt;/b&gt;');
  });
});
