// Noto Sans JP (OFL, from @expo-google-fonts/noto-sans-jp) for Japanese PDF text. pdfkit embeds
// only the glyphs a document uses, so a one-page invoice stays small although each file is ~5 MB.
// The files are read once per process, on first use, and the Buffers are shared by every document.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const NOTO_SANS_JP_REGULAR_PATH = require.resolve("@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf");
export const NOTO_SANS_JP_BOLD_PATH = require.resolve("@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf");

export interface JapaneseFonts {
  regular: Buffer;
  bold: Buffer;
}

let files: JapaneseFonts | undefined;

/** The regular and bold TTF files, read on the first call and reused afterwards. */
export function japaneseFonts(): JapaneseFonts {
  files ??= {
    regular: readFileSync(NOTO_SANS_JP_REGULAR_PATH),
    bold: readFileSync(NOTO_SANS_JP_BOLD_PATH),
  };
  return files;
}

/** A fontkit `Font`, which pdfkit ≥ 0.16 accepts in `registerFont` / `font` in place of a file. */
export interface ParsedFont {
  layout: (text: string) => unknown;
  postscriptName: string;
}

export interface ParsedJapaneseFonts {
  regular: ParsedFont;
  bold: ParsedFont;
}

let parsed: ParsedJapaneseFonts | undefined;

/**
 * The same fonts parsed once. A fresh parse costs 15–45 ms per font and document (fontkit reads
 * cmap, GSUB and GPOS lazily on first layout); a shared parsed font brings a one-page invoice
 * from ~45 ms to a few ms. Each document still makes its own subset. fontkit is pinned in
 * package.json at the version pdfkit depends on, so npm installs the one copy both use.
 */
export function parsedJapaneseFonts(): ParsedJapaneseFonts {
  if (!parsed) {
    const fontkit = require("fontkit") as { create: (buffer: Uint8Array) => unknown };
    const parse = (buffer: Buffer, name: string): ParsedFont => {
      const font = fontkit.create(buffer) as Partial<ParsedFont>;
      if (typeof font.layout !== "function") throw new Error(`${name}: not a single font (a collection?)`);
      return font as ParsedFont;
    };
    const { regular, bold } = japaneseFonts();
    parsed = { regular: parse(regular, NOTO_SANS_JP_REGULAR_PATH), bold: parse(bold, NOTO_SANS_JP_BOLD_PATH) };
  }
  return parsed;
}
