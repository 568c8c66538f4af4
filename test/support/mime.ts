// Just enough MIME decoding to read back what nodemailer sent to a test SMTP server:
// RFC 2047 encoded words in headers, base64 / quoted-printable bodies, multipart parts.
export interface MimePart {
  headers: Map<string, string>;
  body: Buffer;
  parts: MimePart[];
}

export function parseMime(raw: string): MimePart {
  const split = raw.indexOf("\r\n\r\n");
  const head = split < 0 ? raw : raw.slice(0, split);
  const rest = split < 0 ? "" : raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const field of head.replace(/\r\n[ \t]+/g, " ").split("\r\n")) {
    const colon = field.indexOf(":");
    if (colon > 0)
      headers.set(
        field.slice(0, colon).trim().toLowerCase(),
        decodeWords(field.slice(colon + 1).trim()),
      );
  }
  const type = headers.get("content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith("multipart/") && boundary) {
    const parts = rest
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith("--"))
      .map((p) => parseMime(p.replace(/^\r\n/, "").replace(/\r\n$/, "")));
    return { headers, body: Buffer.alloc(0), parts };
  }
  const encoding = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  const body =
    encoding === "base64"
      ? Buffer.from(rest.replace(/\s+/g, ""), "base64")
      : encoding === "quoted-printable"
        ? decodeQuotedPrintable(rest)
        : Buffer.from(rest, "utf8");
  return { headers, body, parts: [] };
}

/** The text of the first text/plain part, with CRLF turned into LF. */
export function plainText(part: MimePart): string {
  if (part.parts.length)
    return plainText(
      part.parts.find((p) => (p.headers.get("content-type") ?? "").startsWith("text/plain"))!,
    );
  return part.body.toString("utf8").replace(/\r\n/g, "\n");
}

function decodeWords(value: string): string {
  // Adjacent encoded words are one run of bytes: a character may straddle two of them.
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)(\s+(?==\?))?/g, "$1")
    .replace(/(?:=\?([^?]+)\?([BbQq])\?([^?]*)\?=)+/g, (run) => {
      const bytes: Buffer[] = [];
      for (const [, , enc, text] of run.matchAll(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g)) {
        bytes.push(
          enc.toUpperCase() === "B"
            ? Buffer.from(text, "base64")
            : decodeQuotedPrintable(text.replace(/_/g, " ")),
        );
      }
      return Buffer.concat(bytes).toString("utf8");
    });
}

function decodeQuotedPrintable(text: string): Buffer {
  const soft = text.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i], "utf8"));
    }
  }
  return Buffer.from(bytes);
}
