// Calling routes' loaders and actions as the HTTP server does, as signed-in demo users: the
// form-token tests (test/form-tokens*.test.ts) send each form twice through these.
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { login } from "../../app/auth/session.server";
import { DEMO_PASSWORD } from "../../db/demo/seed";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./database";
import { clientRequest, responseOf } from "./request";

/** The console's origin in these requests (set as CONSOLE_URL by the tests). */
export const BASE = "http://127.0.0.1:3000";

/** A session cookie per demo account, signed in through the real login. */
export async function signInAll(emails: readonly string[]): Promise<Record<string, string>> {
  // Side by side: scrypt runs on libuv's threads, so a test that signs in before each test waits
  // for the slowest login rather than their sum.
  const cookies = await Promise.all(
    emails.map(async (email) => {
      const result = await login(email, DEMO_PASSWORD, clientRequest("10.0.0.9"));
      if (result.ok !== true) throw new Error(`login ${email}`);
      return [email, result.value.headers.getSetCookie()[0].split(";")[0]] as const;
    }),
  );
  return Object.fromEntries(cookies);
}

export const getAs = (sessions: Record<string, string>, path: string, as: string) =>
  new Request(`${BASE}${path}`, { headers: { Cookie: sessions[as] } });

export const postAs = (
  sessions: Record<string, string>,
  path: string,
  as: string,
  body: Record<string, string>,
) =>
  new Request(`${BASE}${path}`, {
    method: "POST",
    body: new URLSearchParams(body),
    headers: { Cookie: sessions[as], "Content-Type": "application/x-www-form-urlencoded" },
  });

// Each test reads its own body shape.
export type Answer = { status: number; location: string | null; body: any };

/** An action answers with a Response (a redirect) or with Remix's data() (a body and its status). */
export async function answer(fn: () => Promise<unknown>): Promise<Answer> {
  const r = (await responseOf(fn)) as unknown;
  if (r instanceof Response)
    return {
      status: r.status,
      location: r.headers.get("Location"),
      body: r.status === 302 ? null : await r.text(),
    };
  const d = r as { data: unknown; init?: { status?: number } | null };
  return { status: d.init?.status ?? 200, location: null, body: d.data };
}

/** The "already recorded" part of a repeated form's answer. */
export const onceOf = (a: Answer) =>
  (a.body as { once: { form: string; kind: string; message: string; redirect?: string } }).once;

export interface RouteCallOptions {
  /** The demo seed's events (detections); most route tests need none. Default: the seed's. */
  events?: boolean;
  /**
   * "test" (the default): a seeded database and fresh sessions for every test, so a test that
   * writes leaves nothing for the next (issue 16 item 8). "file": one for the whole file — only
   * for files whose tests read and never write (decision 0048).
   */
  per?: "test" | "file";
  /** The set-up's timeout in ms (seeding the PostgreSQL template takes longer). */
  timeout?: number;
}

/**
 * The set-up of a file that calls routes as demo users: CONSOLE_URL, the seeded month's clock
 * (APP_NOW, so a visit on 2026-11-24 is bookable and a payment on 11-20 is not in the future), a
 * seeded database handed to `use` and a session per account. Answers the request builders.
 */
export function routeCallsAs(
  emails: readonly string[],
  use: (database: TestDatabase) => void,
  { events, per = "test", timeout = 60_000 }: RouteCallOptions = {},
) {
  let sessions: Record<string, string> = {};
  let database: TestDatabase | undefined;
  const setUp = async () => {
    process.env.CONSOLE_URL = BASE;
    process.env.APP_NOW = TEST_NOW.toISOString().replace("Z", "+00:00");
    database = await createTestDatabase({ seed: true, events });
    use(database);
    sessions = await signInAll(emails);
  };
  const tearDown = async () => {
    delete process.env.APP_NOW;
    await database?.dispose();
    database = undefined;
  };
  if (per === "test") {
    beforeEach(setUp, timeout);
    afterEach(tearDown);
  } else {
    beforeAll(setUp, timeout);
    afterAll(tearDown);
  }
  return {
    /** The session cookie of an account, for a request built by hand (an upload). */
    cookieOf: (as: string) => sessions[as],
    get: (path: string, as: string) => getAs(sessions, path, as),
    post: (path: string, as: string, body: Record<string, string>) =>
      postAs(sessions, path, as, body),
  };
}
