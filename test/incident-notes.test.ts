// Incident notes as data (issue 17 item 6, migration 001150): the old text form is parsed into
// rows with the time and the author's display name, and new notes are rows by display name.
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as migration from "../db/migrations/2026_11_22_001150_incident_notes";
import type { Database } from "../db/schema";
import { getIncident, transitionIncident } from "../app/security/incidents.server";
import { createTestDatabase, type TestDatabase } from "./support/database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: true });
});
afterAll(async () => {
  await t.dispose();
});

describe("the old text form", () => {
  it("parses each `<instant>Z <e-mail>: <text>` line; other lines continue the note above", () => {
    expect(
      migration.parseLegacyNotes(
        "2026-12-07T01:00Z operator@demo.example: 電話で説明\n続きの行\n2026-12-07T03:15Z someone@gone.example: 解決",
        "2026-12-06T00:00:00.000Z",
      ),
    ).toEqual([
      {
        writtenAt: "2026-12-07T01:00:00.000Z",
        email: "operator@demo.example",
        body: "電話で説明\n続きの行",
      },
      { writtenAt: "2026-12-07T03:15:00.000Z", email: "someone@gone.example", body: "解決" },
    ]);
    expect(migration.parseLegacyNotes("手書きのメモ", "2026-12-06T00:00:00.000Z")).toEqual([
      { writtenAt: "2026-12-06T00:00:00.000Z", email: null, body: "手書きのメモ" },
    ]);
  });
});

describe("migration 001150", () => {
  it("converts existing notes into rows with time and display name, and back", async () => {
    const db = t.db as unknown as Kysely<any>;
    const incident = await t.db
      .selectFrom("incidents")
      .select(["id"])
      .orderBy("id")
      .executeTakeFirstOrThrow();
    // Back to the text column, as the data stood before this migration.
    await migration.down(db);
    await db
      .updateTable("incidents")
      .set({
        notes:
          "2026-12-07T01:00Z operator@demo.example: 電話で説明\n2026-12-07T03:15Z gone@example.jp: 解決",
      })
      .where("id", "=", incident.id)
      .execute();
    await migration.up(db);
    const rows = await t.db
      .selectFrom("incident_notes")
      .select(["written_at", "author_user_id", "author_name", "body"])
      .where("incident_id", "=", incident.id)
      .orderBy("written_at")
      .execute();
    const operator = await t.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "operator@demo.example")
      .executeTakeFirstOrThrow();
    expect(rows).toEqual([
      {
        written_at: "2026-12-07T01:00:00.000Z",
        author_user_id: operator.id,
        author_name: "運用 花子",
        body: "電話で説明",
      },
      {
        written_at: "2026-12-07T03:15:00.000Z",
        author_user_id: null,
        author_name: "担当者",
        body: "解決",
      },
    ]);
    const columns = (await db.introspection.getTables())
      .find((x) => x.name === "incidents")!
      .columns.map((c) => c.name);
    expect(columns).not.toContain("notes");
  });

  it("writes a new note with the writer's display name and the instant", async () => {
    const incident = await t.db
      .selectFrom("incidents")
      .select(["id"])
      .where("status", "=", "new")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const operator = await t.db
      .selectFrom("users")
      .select(["id", "email"])
      .where("email", "=", "operator@demo.example")
      .executeTakeFirstOrThrow();
    const at = new Date("2026-11-22T01:00:00Z");
    expect(
      await transitionIncident(t.db as Kysely<Database>, {
        id: incident.id,
        tenant: { kind: "provider" },
        to: "acknowledged",
        assignee: "",
        notes: "一次対応",
        at,
        actor: { id: operator.id, email: operator.email },
        ip: "127.0.0.1",
      }),
    ).toEqual({ ok: true });
    const found = await getIncident(t.db, { id: incident.id, tenant: { kind: "provider" } });
    expect(found!.notes.map((n) => [n.writtenAt, n.authorName, n.body])).toEqual([
      ["2026-11-22T01:00:00.000Z", "運用 花子", "一次対応"],
    ]);
  });
});
