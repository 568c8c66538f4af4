// Signing in over plain HTTP, for tests and benchmarks that request pages without a browser.
import { DEMO_PASSWORD } from "../../../db/demo/seed";

/**
 * The Cookie header of a fresh session of `email` (a demo account unless a password is given):
 * POST /login as the login form does, with the console's Origin (the edge's check).
 */
export async function sessionCookie(
  baseUrl: string,
  email = "admin@demo.example",
  password = DEMO_PASSWORD,
): Promise<string> {
  const response = await fetch(`${baseUrl}/login`, {
    method: "POST",
    headers: { Origin: baseUrl, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password, redirectTo: "" }),
    redirect: "manual",
  });
  const cookies = response.headers.getSetCookie().map((c) => c.split(";")[0]);
  if (response.status !== 302 || cookies.length === 0)
    throw new Error(`sign-in of ${email}: HTTP ${response.status}, no session cookie`);
  return cookies.join("; ");
}
