/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';

/** axe-core's browser build, evaluated in each page (the pages' CSP allows no inline script tag). */
const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);
const AXE_OPTIONS: RunOptions = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } };

/** A button named only for what it does, not for what it acts on. */
const BARE_NAME = /^(end|delete|remove|edit|change|cancel|submit|ok|go|yes|no)?$/i;

export const PHONE = { width: 360, height: 780 };
export const DESKTOP = { width: 1280, height: 800 };

/**
 * What is wrong with the page now shown, at a phone's width and a desktop's, each problem naming
 * `label`: axe's WCAG 2 A/AA violations, sideways scrolling, buttons without a specific name (or
 * two with the same), and, on the phone, a header of more than two lines.
 */
export async function pageProblems(page: Page, label: string): Promise<string[]> {
  const problems: string[] = [];
  for (const viewport of [PHONE, DESKTOP]) {
    await page.setViewportSize(viewport);
    const at = `${label} at ${viewport.width} px`;
    for (const violation of await axeViolations(page)) problems.push(`${at}: ${violation}`);
    const { scrollWidth, clientWidth } = await page.evaluate(() => {
      const { scrollWidth, clientWidth } = document.documentElement;
      return { scrollWidth, clientWidth };
    });
    if (scrollWidth > clientWidth) problems.push(`${at}: ${scrollWidth} px wide, scrolls sideways`);
    for (const name of await buttonNameProblems(page)) problems.push(`${at}: ${name}`);
    const lines = await headerLines(page);
    if (viewport === PHONE && lines > 2) problems.push(`${at}: the header takes ${lines} lines`);
  }
  return problems;
}

async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(
    (options) =>
      (window as unknown as { axe: { run(o: RunOptions): Promise<AxeResults> } }).axe.run(options),
    AXE_OPTIONS,
  );
  return results.violations.map(
    (v) => `axe ${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

/** Each button's accessible name as Chromium computes it (what a screen reader announces). */
async function buttonNameProblems(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const names = nodes
      .filter((node) => node.role?.value === 'button' && !node.ignored)
      .map((node) => String(node.name?.value ?? '').trim());
    return [
      ...names.filter((name) => BARE_NAME.test(name)).map((name) => `a button named "${name}"`),
      ...names
        .filter((name, i) => names.indexOf(name) !== i)
        .map((name) => `two buttons named "${name}"`),
    ];
  } finally {
    await cdp.detach();
  }
}

/**
 * Lines of text the header shows: each line box of its visible text, sorted by their middles; a
 * box whose middle lies within the box that began the current line is on that line (the tenant's
 * name, the user's and "Sign out" share one), any other begins the next.
 */
function headerLines(page: Page): Promise<number> {
  return page.evaluate(() => {
    const header = document.querySelector('header');
    if (!header) return 0;
    const hidden = (el: Element | null): boolean =>
      el !== null &&
      el !== header &&
      (getComputedStyle(el).clipPath !== 'none' || hidden(el.parentElement));
    const boxes: { top: number; bottom: number }[] = [];
    const walker = document.createTreeWalker(header, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent?.trim() || hidden(node.parentElement)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) {
        if (rect.width > 0) boxes.push({ top: rect.top, bottom: rect.bottom });
      }
    }
    const middle = (box: { top: number; bottom: number }) => (box.top + box.bottom) / 2;
    boxes.sort((a, b) => middle(a) - middle(b));
    let lines = 0;
    let lineBottom = -Infinity;
    for (const box of boxes) {
      if (middle(box) > lineBottom) {
        lines++;
        lineBottom = box.bottom;
      }
    }
    return lines;
  });
}
