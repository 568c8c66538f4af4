// msw handlers for the security vendor's cloud API as docs/vendor-api.md describes it: two
// cursor-paged feeds behind a bearer token, with scripted faults (429, 5xx, slow answers,
// bodies that are not JSON) so the real client code can be driven through each of them.
import { delay, http, HttpResponse } from "msw";

export const VENDOR_BASE = "https://vendor-api.test";
export const VENDOR_TOKEN = "test-token-7f3a";

export type Feed = "devices" | "detections";

export type Fault =
  | { status: 429; retryAfter?: string }
  | { status: 500 | 502 | 503 }
  | { delayMs: number }
  | { body: string };

export interface VendorRequest {
  feed: Feed;
  cursor: string | null;
  authorization: string | null;
}

export interface FakeVendor {
  handlers: ReturnType<typeof http.get>[];
  feeds: Record<Feed, unknown[]>;
  /** Faults answered, in order, to the next requests of a feed (one fault per request). */
  faults: Record<Feed, Fault[]>;
  requests: VendorRequest[];
  pageSize: number;
}

/** Cursors are `c<offset>`; a page's nextCursor is the offset after it, null once nothing follows. */
export function fakeVendor(
  options: { pageSize?: number; devices?: unknown[]; detections?: unknown[] } = {},
): FakeVendor {
  const vendor: FakeVendor = {
    handlers: [],
    feeds: { devices: options.devices ?? [], detections: options.detections ?? [] },
    faults: { devices: [], detections: [] },
    requests: [],
    pageSize: options.pageSize ?? 2,
  };
  const handler = (feed: Feed) =>
    http.get(`${VENDOR_BASE}/v1/${feed}`, async ({ request }) => {
      const url = new URL(request.url);
      const cursor = url.searchParams.get("cursor");
      const authorization = request.headers.get("authorization");
      vendor.requests.push({ feed, cursor, authorization });
      if (authorization !== `Bearer ${VENDOR_TOKEN}`)
        return HttpResponse.json({ error: "unauthorized" }, { status: 401 });

      const fault = vendor.faults[feed].shift();
      if (fault && "status" in fault) {
        const headers: Record<string, string> =
          fault.status === 429 && fault.retryAfter ? { "retry-after": fault.retryAfter } : {};
        return HttpResponse.json({ error: "try later" }, { status: fault.status, headers });
      }
      if (fault && "body" in fault)
        return new HttpResponse(fault.body, { headers: { "content-type": "application/json" } });
      if (fault && "delayMs" in fault) await delay(fault.delayMs);

      const offset = cursor === null ? 0 : Number(cursor.slice(1));
      const items = vendor.feeds[feed].slice(offset, offset + vendor.pageSize);
      const nextCursor = items.length === 0 ? null : `c${offset + items.length}`;
      return HttpResponse.json({ items, nextCursor });
    });
  vendor.handlers = [handler("devices"), handler("detections")];
  return vendor;
}
