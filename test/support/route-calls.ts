// Calling routes' loaders and actions as the HTTP server does, as signed-in demo users: the
// form-token tests (test/form-tokens*.test.ts) send each form twice through these.
import { login } from "../../app/auth/session.server";
import { DEMO_PASSWORD } from "../../db/demo/seed";
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
