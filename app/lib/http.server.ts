// Small helpers shared by routes.

/** The 404 every missing or foreign record answers with. */
export function notFound(): Response {
  return new Response("見つかりません", { status: 404 });
}

/**
 * The console's address as its users reach it, for links in e-mails: `CONSOLE_URL` when set (a
 * server behind a proxy sees another address), else the origin the request came to.
 */
export function consoleUrl(request: Request, env: Record<string, string | undefined> = process.env): string {
  return env.CONSOLE_URL?.trim().replace(/\/+$/, "") || new URL(request.url).origin;
}

/** A positive integer route parameter, or a 404. */
export function idParam(value: string | undefined): number {
  if (!value || !/^[1-9]\d{0,15}$/.test(value)) throw notFound();
  return Number(value);
}

/** A download with a Japanese file name (RFC 6266 filename* with UTF-8). */
export function downloadResponse(body: Buffer | string, fileName: string, contentType: string): Response {
  const asciiFallback = fileName.replace(/[^\x20-\x7e]/g, "_");
  return new Response(typeof body === "string" ? body : new Uint8Array(body), {
    headers: {
      "Content-Type": contentType,
      "Content-Disposition": `attachment; filename="${asciiFallback}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      "Cache-Control": "private, no-store",
    },
  });
}

export function pdfResponse(pdf: Buffer, fileName: string): Response {
  return downloadResponse(pdf, fileName, "application/pdf");
}
