/**
 * WCAG 2 contrast, for text drawn on a tenant's colour. Black is the dark choice because it is
 * one that guarantees 4.5:1: where black and white contrast equally the ratio is 4.58, and a
 * softer near-black (#0b0c0c, say) drops that worst case to 4.42.
 */
export const DARK_TEXT = '#000000';
export const LIGHT_TEXT = '#ffffff';

const HEX_COLOR = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i;

/** Relative luminance of a `#rrggbb` colour, 0 (black) to 1 (white). */
export function relativeLuminance(color: string): number {
  const match = HEX_COLOR.exec(color);
  if (!match) throw new Error(`not a #rrggbb colour: ${color}`);
  const [r, g, b] = match.slice(1).map((hex) => {
    const channel = parseInt(hex, 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of two colours, 1 to 21, whichever is lighter. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [
    number,
    number,
  ];
  return (light + 0.05) / (dark + 0.05);
}

/** Black or white, whichever contrasts more with `background`: always 4.5:1 or better. */
export function textColorOn(background: string): string {
  return contrastRatio(DARK_TEXT, background) >= contrastRatio(LIGHT_TEXT, background)
    ? DARK_TEXT
    : LIGHT_TEXT;
}
