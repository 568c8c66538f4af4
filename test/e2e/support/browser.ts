// Debian's Chromium driven by playwright-core (never a downloaded browser).
import { chromium, type Browser, type Page } from "playwright-core";
import { DEMO_PASSWORD } from "../../../db/demo/seed";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export async function loginAs(
  page: Page,
  baseUrl: string,
  email: string,
  password = DEMO_PASSWORD,
): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("メールアドレス").fill(email);
  await page.getByLabel("パスワード").fill(password);
  await Promise.all([
    page.waitForURL(`${baseUrl}/home`),
    page.getByRole("button", { name: "ログイン", exact: true }).click(),
  ]);
  // After a client-side navigation the address changes before the console has rendered; callers
  // count menu links and read the header at once, so wait for the signed-in header.
  await page.getByRole("button", { name: "ログアウト" }).waitFor();
}
