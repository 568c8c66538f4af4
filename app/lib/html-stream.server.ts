// The stream a page's HTML goes through on its way to the response.
//
// React 18.3.1's Node renderer (renderToPipeableStream) writes its whole 2,048-byte buffer when a
// string does not fit the space left in it, including the one or two bytes a 3-byte character
// could not fill: those go out as NUL bytes in the middle of the page (react/react#31134, fixed in
// React 19). Japanese text hits it wherever a character falls on a buffer boundary; a browser
// reads the NUL as U+FFFD, and a form sending the text back corrupts it. HTML never needs a NUL
// (the parser replaces it), so dropping every NUL byte is safe.
import { Transform, type TransformCallback } from "node:stream";

/** A pass-through that drops NUL bytes; chunks without one pass as they are. */
export function withoutNulBytes(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      done(null, chunk.includes(0) ? Buffer.from(chunk.filter((byte) => byte !== 0)) : chunk);
    },
  });
}
