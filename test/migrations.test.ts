// Migrating one SQLite file from several processes at once (the server and a command starting
// together after an upgrade): one applies every migration, the others wait and find nothing to do.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { migrations } from "../db/migrations/index";

const dir = mkdtempSync(join(tmpdir(), "migrate-race-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function migrate(
  databaseUrl: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() }));
  });
}

describe("concurrent migrations", () => {
  it("apply each migration once when three processes migrate the same new file", async () => {
    const path = join(dir, "app.db");
    const runs = await Promise.all([1, 2, 3].map(() => migrate(`file:${path}`)));
    expect(runs.map((r) => [r.code, r.stderr])).toEqual([
      [0, ""],
      [0, ""],
      [0, ""],
    ]);
    const outputs = runs.map((r) => r.stdout).sort();
    expect(outputs[0]).toBe(`applied ${Object.keys(migrations).sort().join(", ")}`);
    expect(outputs.slice(1)).toEqual(["schema is up to date", "schema is up to date"]);
    const db = new SQLite(path, { readonly: true });
    const names = db.prepare("select name from kysely_migration order by name").all() as {
      name: string;
    }[];
    db.close();
    expect(names.map((n) => n.name)).toEqual(Object.keys(migrations).sort());
  }, 60_000);
});

describe("frozen migrations", () => {
  it("import nothing from the app, so a later change of app code cannot change what a migration did", () => {
    const folder = join(__dirname, "..", "db", "migrations");
    const offenders = readdirSync(folder)
      .filter((name) => name.endsWith(".ts"))
      .filter((name) =>
        /from\s+["']\.\.\/\.\.\/app\//.test(readFileSync(join(folder, name), "utf8")),
      );
    expect(offenders).toEqual([]);
  });
});
