// Partner API keys from the command line (issue 19, item 1):
//   `npm run -s apikeys -- create --reseller REF|--provider --name NAME --scope read|write`
//     prints the new key alone on one line (it is shown this once; only its hash is stored);
//   `npm run -s apikeys -- revoke --name NAME [--reseller REF|--provider]` revokes the tenant's
//     live key of that name (the provider's when no reseller is named).
// A mistake prints `--option: message` on stderr and exits 1 having written nothing.
import { parseArgs } from "node:util";
import { API_SCOPES, createApiKey, revokeApiKey, type KeyTenant } from "../app/api/keys.server";
import { now } from "../app/lib/clock";
import { migrateToLatest, openDatabase } from "../db/connection";
import type { ApiScope } from "../db/schema";
import { runCommand } from "./run-command";
import { ApiKeyForm } from "../app/api/key-form";

const USAGE = [
  "usage: apikeys create (--reseller REF | --provider) --name NAME --scope read|write",
  "       apikeys revoke --name NAME [--reseller REF | --provider]",
].join("\n");
const COMMAND_ACTOR = { id: null, email: "command:apikeys" };

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      reseller: { type: "string" },
      provider: { type: "boolean" },
      name: { type: "string" },
      scope: { type: "string" },
    },
  });
  const command = positionals[0];
  if ((command !== "create" && command !== "revoke") || positionals.length > 1) {
    console.error(USAGE);
    return 1;
  }
  if (values.reseller !== undefined && values.provider) {
    console.error("--reseller: give either --reseller REF or --provider, not both");
    return 1;
  }
  if (command === "create" && values.reseller === undefined && !values.provider) {
    console.error("--reseller: whose key it is: --reseller REF or --provider");
    return 1;
  }
  const parsed = ApiKeyForm.safeParse({
    name: values.name ?? "",
    scope: command === "create" ? (values.scope ?? "") : "read",
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue.path[0]);
    console.error(
      field === "scope"
        ? `--scope: expected ${API_SCOPES.join(" or ")}, got ${values.scope === undefined ? "nothing" : `"${values.scope}"`}`
        : `--name: ${values.name === undefined ? "a key name is required" : issue.message}`,
    );
    return 1;
  }
  const handle = openDatabase();
  try {
    await migrateToLatest(handle.db);
    let tenant: KeyTenant = { kind: "provider" };
    if (values.reseller !== undefined) {
      const reseller = await handle.db
        .selectFrom("resellers")
        .select("id")
        .where("ref", "=", values.reseller)
        .executeTakeFirst();
      if (!reseller) {
        console.error(`--reseller: unknown reseller "${values.reseller}"`);
        return 1;
      }
      tenant = { kind: "reseller", resellerId: reseller.id };
    }
    if (command === "create") {
      const result = await createApiKey(handle.db, {
        tenant,
        name: parsed.data.name,
        scope: parsed.data.scope as ApiScope,
        at: now(),
        actor: COMMAND_ACTOR,
        ip: null,
      });
      if (!result.ok) {
        console.error(`--name: a live key named "${parsed.data.name}" already exists`);
        return 1;
      }
      console.log(result.value.key);
      return 0;
    }
    const revoked = await revokeApiKey(handle.db, {
      tenant,
      name: parsed.data.name,
      at: now(),
      actor: COMMAND_ACTOR,
      ip: null,
    });
    if (!revoked.ok) {
      console.error(
        `--name: no live key named "${parsed.data.name}"${values.reseller ? ` of reseller ${values.reseller}` : " of the provider"}`,
      );
      return 1;
    }
    console.error(`revoked "${revoked.value.name}"`);
    return 0;
  } finally {
    await handle.close();
  }
}

runCommand("apikeys", main);
