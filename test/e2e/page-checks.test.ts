import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../harness/browser-stack.ts';
import { missingChromium, prerequisitesTest } from '../../harness/prerequisites.ts';
import { pageProblems } from './page-checks.ts';

const missing = missingChromium();

prerequisitesTest('test/e2e/page-checks.test.ts', missing);

/** The checks pages.test.ts relies on, each shown a page with the fault it looks for. */
describe.skipIf(missing.length > 0)('the page checks', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const problemsOf = async (header: string, main: string) => {
    await page.setContent(
      `<!doctype html><html lang="en"><head><title>Test</title>
      <meta name="viewport" content="width=device-width, initial-scale=1"></head>
      <body style="margin:0;font:16px sans-serif">${header}<main>${main}</main></body></html>`,
    );
    return pageProblems(page, 'test');
  };
  const header = '<header><a href="/">Customer</a></header>';

  it('when a page is fine, then there is nothing to report', async () => {
    expect(await problemsOf(header, '<h1>Fine</h1><button>Delete the note “x”</button>')).toEqual(
      [],
    );
  });

  it('when white text sits on yellow, then axe reports the contrast', async () => {
    const yellow =
      '<header style="background:#ffd800"><a style="color:#fff" href="/">Customer</a></header>';
    expect(await problemsOf(yellow, '<h1>x</h1>')).toContainEqual(
      expect.stringMatching(/axe color-contrast/),
    );
  });

  it('when a table is wider than the phone, then it scrolls sideways at 360 px only', async () => {
    const problems = await problemsOf(
      header,
      '<h1>x</h1><table style="width:547px"><tr><td>x</td></tr></table>',
    );
    expect(problems).toEqual(['test at 360 px: 547 px wide, scrolls sideways']);
  });

  it('when buttons say only what they do, or two say the same, then both are reported', async () => {
    const main = '<h1>x</h1><button>End</button><button>Delete</button><button>Delete</button>';
    const problems = await problemsOf(header, main);
    expect(problems).toContain('test at 360 px: a button named "End"');
    expect(problems).toContain('test at 360 px: two buttons named "Delete"');
  });

  it('when the header wraps to more than two lines at 360 px, then the lines are counted', async () => {
    const tall = `<header><a href="/">Customer</a><nav><a href="/a">Notes</a> <a href="/b">Your sessions</a></nav>
      <div>Signed in as Alice Anders</div></header>`;
    expect(await problemsOf(tall, '<h1>x</h1>')).toEqual([
      'test at 360 px: the header takes 3 lines',
    ]);
  });
});
