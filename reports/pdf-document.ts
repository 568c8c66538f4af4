// An A4 Japanese PDF document as every report of the console starts: the shared parsed Noto Sans
// JP fonts registered under fixed names, buffered pages (for "page x / y" footers), fixed
// metadata so the same input gives the same bytes, and the finished file as a Buffer.
import PDFDocument from "pdfkit";
import { parsedJapaneseFonts } from "./fonts";

export const REGULAR = "NotoSansJP-Regular";
export const BOLD = "NotoSansJP-Bold";

export interface JapaneseDocument {
  pdf: PDFKit.PDFDocument;
  /** Resolves with the file once `pdf.end()` has been called. */
  done: Promise<Buffer>;
}

export function japaneseA4Document(options: {
  margins: { top: number; bottom: number; left: number; right: number };
  info: { Title: string; Author: string; Subject: string; CreationDate: Date };
}): JapaneseDocument {
  const fonts = parsedJapaneseFonts();
  const pdf = new PDFDocument({
    size: "A4",
    margins: options.margins,
    // Our own default font, so that pdfkit does not load Helvetica's metrics for every document.
    font: fonts.regular as unknown as string,
    bufferPages: true,
    lang: "ja-JP",
    displayTitle: true,
    info: { ...options.info, Creator: "secure-line-console", Producer: "PDFKit" },
  });
  // @types/pdfkit does not list fontkit fonts as a source yet; pdfkit 0.20 accepts them.
  pdf.registerFont(REGULAR, fonts.regular as unknown as PDFKit.Mixins.PDFFontSource);
  pdf.registerFont(BOLD, fonts.bold as unknown as PDFKit.Mixins.PDFFontSource);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on("data", (chunk: Buffer) => chunks.push(chunk));
    pdf.on("end", () => resolve(Buffer.concat(chunks)));
    pdf.on("error", reject);
  });
  return { pdf, done };
}
