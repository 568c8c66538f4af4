// `npm run -s licenses -- quote-cancel --license REF --on YYYY-MM-DD --json` (docs/rules/import-format.md)
// prints what cancelling the licence on that date does — `{effectiveEnd, refundYen, cascades,
// path}` — from the same loading and the same rules the web flow uses (licenses.server.ts).
// `main-service` records the status of a customer's main ISP service and
// `apply-main-service-ends` applies the L-4 automatic end to every customer on a day (what the
// server does daily); both print JSON of what happened (main-services.server.ts).
import { parseArgs } from "node:util";
import { quoteCancelLicense } from "../app/licenses/licenses.server";
import {
  applyMainServiceEnds,
  mainServiceRecordJson,
  recordMainService,
} from "../app/licenses/main-services.server";
import type { MainServiceField } from "../app/licenses/main-services";
import { now } from "../app/lib/clock";
import { isIsoDate, jstDate } from "../app/lib/jst";
import { migrateToLatest, openDatabase } from "../db/connection";
import { runCommand } from "./run-command";
import { formatYen } from "../app/lib/format";

const USAGE = [
  "usage: licenses quote-cancel --license REF --on YYYY-MM-DD [--json]",
  "       licenses main-service --customer REF --service REF --status active|suspended|ended [--last-day YYYY-MM-DD] [--kind internet|tv|phone|other] [--name TEXT]",
  "       licenses apply-main-service-ends [--on YYYY-MM-DD]",
].join("\n");

/** Who the audit log names for changes made through this command. */
const COMMAND_ACTOR = { id: null, email: "command:licenses" };

const OPTION_OF: Record<MainServiceField, string> = {
  serviceRef: "--service",
  kind: "--kind",
  name: "--name",
  status: "--status",
  lastDay: "--last-day",
};

type Values = Record<string, string | boolean | undefined>;

async function withDatabase(
  fn: (db: ReturnType<typeof openDatabase>["db"]) => Promise<number>,
): Promise<number> {
  const handle = openDatabase();
  try {
    await migrateToLatest(handle.db);
    return await fn(handle.db);
  } finally {
    await handle.close();
  }
}

/** `main-service`: records one main service as of today (JST) and prints what it ended. */
async function mainService(values: Values): Promise<number> {
  const customerRef = typeof values.customer === "string" ? values.customer.trim() : "";
  if (customerRef === "") {
    console.error("--customer: お客さまの番号（C1 など）を指定してください");
    return 1;
  }
  return withDatabase(async (db) => {
    // The command runs for the provider: every customer.
    const customer = await db
      .selectFrom("customers")
      .select("id")
      .where("ref", "=", customerRef)
      .executeTakeFirst();
    if (!customer) {
      console.error(`--customer: お客さま「${customerRef}」は登録されていません`);
      return 1;
    }
    const str = (v: string | boolean | undefined) => (typeof v === "string" ? v : undefined);
    const result = await recordMainService(db, {
      customerId: customer.id,
      tenant: { kind: "provider" },
      on: jstDate(now()),
      actor: COMMAND_ACTOR,
      ip: null,
      input: {
        serviceRef: str(values.service),
        kind: str(values.kind),
        name: str(values.name),
        status: str(values.status),
        lastDay: str(values["last-day"]),
      },
    });
    if (!result.ok) {
      if (result.kind !== "validation")
        throw new Error(`customer ${customerRef}: ${result.message}`);
      const lines = Object.entries(result.fields).map(
        ([field, message]) => `${OPTION_OF[field as MainServiceField]}: ${message}`,
      );
      console.error(lines.join("\n"));
      return 1;
    }
    console.log(JSON.stringify(mainServiceRecordJson(result.value)));
    return 0;
  });
}

/** `apply-main-service-ends`: the daily L-4 run for a day (default today, JST). */
async function applyEnds(values: Values): Promise<number> {
  const on = values.on === undefined ? jstDate(now()) : values.on;
  if (!isIsoDate(on)) {
    console.error(`--on: expected a date YYYY-MM-DD, got "${String(on)}"`);
    return 1;
  }
  return withDatabase(async (db) => {
    const ended = await applyMainServiceEnds(db, { on, actor: COMMAND_ACTOR });
    console.log(JSON.stringify({ on, ended }));
    return 0;
  });
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      license: { type: "string" },
      on: { type: "string" },
      json: { type: "boolean" },
      customer: { type: "string" },
      service: { type: "string" },
      status: { type: "string" },
      "last-day": { type: "string" },
      kind: { type: "string" },
      name: { type: "string" },
    },
  });
  if (positionals.length === 1 && positionals[0] === "main-service") return mainService(values);
  if (positionals.length === 1 && positionals[0] === "apply-main-service-ends")
    return applyEnds(values);
  if (positionals[0] !== "quote-cancel" || positionals.length !== 1) {
    console.error(USAGE);
    return 1;
  }
  if (!values.license) {
    console.error("--license: a license ref is required");
    return 1;
  }
  if (!isIsoDate(values.on)) {
    console.error(
      `--on: expected a date YYYY-MM-DD, got ${values.on === undefined ? "nothing" : `"${values.on}"`}`,
    );
    return 1;
  }
  const handle = openDatabase();
  try {
    await migrateToLatest(handle.db);
    // The command runs for the provider: every licence.
    const quote = await quoteCancelLicense(
      handle.db,
      { ref: values.license, tenant: { kind: "provider" } },
      values.on,
    );
    if (!quote) {
      console.error(`--license: unknown license "${values.license}"`);
      return 1;
    }
    if (values.json) {
      const { effectiveEnd, refundYen, cascades, path } = quote;
      console.log(JSON.stringify({ effectiveEnd, refundYen, cascades, path }));
    } else {
      console.log(`終了日: ${quote.effectiveEnd}`);
      console.log(`返金額: ${formatYen(quote.refundYen)}`);
      console.log(
        `同時に解約されるアドオン: ${quote.cascades.length > 0 ? quote.cascades.join(", ") : "なし"}`,
      );
      console.log(`解約の方法: ${quote.pathDetail.title}（${quote.path}）`);
      for (const line of quote.lines)
        console.log(
          `  ${line.ref}: ${line.effectiveEnd} まで、${formatYen(line.refundYen)}（${line.rule}）`,
        );
    }
    return 0;
  } finally {
    await handle.close();
  }
}

runCommand("licenses", main);
