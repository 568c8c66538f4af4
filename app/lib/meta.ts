import type { MetaFunction } from "@remix-run/node";

/** The product's name after each page's own in the browser's title. */
export const CONSOLE_TITLE = "セキュアライン 管理コンソール";

/** A page's `meta`: its title, then the product's name. */
export const titled =
  (page: string): MetaFunction =>
  () => [{ title: `${page} | ${CONSOLE_TITLE}` }];
