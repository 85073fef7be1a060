/**
 * The fonts charts are drawn and measured with: DejaVu Sans (regular and bold) from the
 * dejavu-fonts-ttf package. Vega lays text out with our opentype.js measure and resvg renders the
 * PNG from the same files, so label widths in the SVG and the PNG agree and nothing is clipped.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The part of opentype.js used here (the package ships no type declarations). */
interface Glyph {
  index: number;
  advanceWidth?: number;
}
interface Font {
  unitsPerEm: number;
  charToGlyph(ch: string): Glyph;
  position: {
    getDefaultScriptName(): string;
    getKerningTables(script: string, language?: string): unknown;
    getKerningValue(tables: unknown, left: number, right: number): number;
  };
  getKerningValue(left: Glyph, right: Glyph): number;
}
const require = createRequire(import.meta.url);
const opentype = require('opentype.js') as { parse(buffer: ArrayBuffer): Font };

/** The family name charts ask for; it must match the fonts below. */
export const FONT_FAMILY = 'DejaVu Sans';

function fontDir(): string {
  return join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
}

/** Absolute paths of the regular and bold font files (for resvg). */
export function fontFiles(): { regular: string; bold: string } {
  const dir = fontDir();
  return { regular: join(dir, 'DejaVuSans.ttf'), bold: join(dir, 'DejaVuSans-Bold.ttf') };
}

const cache = new Map<string, Font>();

function loadFont(path: string): Font {
  let font = cache.get(path);
  if (!font) {
    const buf = readFileSync(path);
    font = opentype.parse(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    cache.set(path, font);
  }
  return font;
}

/** True for CSS weights drawn with the bold face (bold, bolder, 600-900). */
export function isBold(weight: string | number | undefined | null): boolean {
  if (weight === undefined || weight === null || weight === '') return false;
  if (typeof weight === 'number') return weight >= 600;
  if (weight === 'bold' || weight === 'bolder') return true;
  const n = Number(weight);
  return Number.isFinite(n) && n >= 600;
}

/**
 * Advance width in px of `text` at `fontSize` px in DejaVu Sans (bold if asked): the sum of the
 * glyph advances plus GPOS pair kerning, as resvg's shaper lays Latin text out. (opentype.js's own
 * getAdvanceWidth cannot be used: its ccmp shaping throws on DejaVu's lookup type 6 format 2.)
 */
export function measureText(text: string, fontSize: number, bold = false): number {
  if (!text || fontSize <= 0) return 0;
  const files = fontFiles();
  const font = loadFont(bold ? files.bold : files.regular);
  const scale = fontSize / font.unitsPerEm;
  // The shaper takes the script from the text's letters: Latin text gets the 'latn' kern lookups,
  // text of digits and punctuation only the default script's.
  const script = /\p{Script=Latin}/u.test(text) ? 'latn' : font.position.getDefaultScriptName();
  const kerning = font.position.getKerningTables(script);
  const glyphs = [...text].map((ch) => font.charToGlyph(ch));
  let units = 0;
  glyphs.forEach((g, i) => {
    units += g.advanceWidth ?? 0;
    if (i + 1 < glyphs.length) {
      units += kerning ? font.position.getKerningValue(kerning, g.index, glyphs[i + 1].index) : font.getKerningValue(g, glyphs[i + 1]);
    }
  });
  return units * scale;
}
