import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  contrastRatio,
  DARK_TEXT,
  LIGHT_TEXT,
  relativeLuminance,
  textColorOn,
} from '../../src/web/contrast.ts';

const hex = (n: number) => `#${n.toString(16).padStart(6, '0')}`;

describe('WCAG contrast', () => {
  it('when given the ends of the scale, then luminance is 0 and 1 and their ratio 21:1', () => {
    expect(relativeLuminance('#000000')).toBe(0);
    expect(relativeLuminance('#FFFFFF')).toBe(1);
    expect(contrastRatio('#000000', '#ffffff')).toBe(21);
    expect(contrastRatio('#ffffff', '#000000')).toBe(21);
    expect(contrastRatio('#1f6feb', '#1f6feb')).toBe(1);
  });

  it('when given known pairs, then the ratios WebAIM’s checker gives', () => {
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(contrastRatio('#ffd800', '#ffffff')).toBeCloseTo(1.39, 2);
    expect(contrastRatio('#1f6feb', '#ffffff')).toBeCloseTo(4.63, 2);
  });

  it('when a colour is not #rrggbb, then it throws naming it', () => {
    expect(() => relativeLuminance('yellow')).toThrow(/yellow/);
    expect(() => relativeLuminance('#fff')).toThrow(/#fff/);
  });

  it('when the tenant is yellow, then its text is black; when dark blue, white', () => {
    expect(textColorOn('#ffd800')).toBe(DARK_TEXT);
    expect(textColorOn('#1f6feb')).toBe(LIGHT_TEXT);
    expect(textColorOn('#c2410c')).toBe(LIGHT_TEXT);
    expect(textColorOn('#15803d')).toBe(LIGHT_TEXT);
  });

  it('when any colour is the background, then the chosen text reads at 4.5:1 or better', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffff }), (n) => {
        const background = hex(n);
        expect(contrastRatio(textColorOn(background), background)).toBeGreaterThanOrEqual(4.5);
      }),
      { numRuns: 20_000 },
    );
    // Where black and white contrast equally (the worst case): a grey of luminance ≈ 0.179.
    for (let grey = 0x70; grey <= 0x80; grey++) {
      const background = hex(grey * 0x010101);
      expect(contrastRatio(textColorOn(background), background)).toBeGreaterThanOrEqual(4.58);
    }
  });

  it('when the dark text were a softer near-black, then some colour would fall below 4.5:1', () => {
    const worst = '#826ea8'; // a violet: 4.43:1 on #0b0c0c and on white
    const best = Math.max(contrastRatio('#0b0c0c', worst), contrastRatio(LIGHT_TEXT, worst));
    expect(best).toBeLessThan(4.5);
  });
});
