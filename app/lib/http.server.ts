// Small helpers shared by routes.
import { getServerConfig } from "../config.server";

/** The 404 every missing or foreign record answers with. */
export function notFound(): Response {
  return new Response("見つかりません", { status: 404 });
}

/**
 * The console's address as its users reach it, for links in e-mails: the configured one only
 * (config.server.ts). Never the request's Host, which the client chooses (issue 15 item 7).
 */
export function consoleUrl(): string {
  return getServerConfig().consoleUrl;
}

/** A positive integer route parameter, or a 404. */
export function idParam(value: string | undefined): number {
  if (!value || !/^[1-9]\d{0,15}$/.test(value)) throw notFound();
  return Number(value);
}

/**
 * `Content-Disposition` of a download per RFC 6266: an ASCII `filename` for old clients with
 * every character that could end or escape the quoted string replaced by `_` (a `"` in a
 * contract ref once cut the header), and the real name as RFC 5987 UTF-8 `filename*`.
 */
export function contentDisposition(fileName: string): string {
  const asciiFallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${asciiFallback}"; filename*=UTF-8''${encoded}`;
}

/** A download with a Japanese file name. */
export function downloadResponse(
  body: Buffer | string,
  fileName: string,
  contentType: string,
): Response {
  return new Response(typeof body === "string" ? body : new Uint8Array(body), {
    headers: {
      "Content-Type": contentType,
      "Content-Disposition": contentDisposition(fileName),
      "Cache-Control": "private, no-store",
    },
  });
}

export function pdfResponse(pdf: Buffer, fileName: string): Response {
  return downloadResponse(pdf, fileName, "application/pdf");
}
