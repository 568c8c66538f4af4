// The one source of "now". APP_NOW (ISO 8601 with offset) pins the clock so that
// retention, schedules and quotes can be reproduced exactly (docs/rules/import-format.md).
import { instantOf, parseInstant, type Instant } from "./jst";

export function now(): Date {
  const pinned = process.env.APP_NOW;
  if (pinned) {
    const t = parseInstant(pinned);
    if (!t) throw new Error(`APP_NOW: not an ISO 8601 instant with offset: "${pinned}"`);
    return t;
  }
  return new Date();
}

/** "Now" as stored text (UTC instant). */
export function instantNow(): Instant {
  return instantOf(now());
}
