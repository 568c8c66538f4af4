// Tariff versions in the console (T-2): listed with what each changes, published by operations
// (tariff-editor.ts checks the input) and withdrawn while not yet in force. Every write is in the
// billing journal through the tables' triggers (decision 0010), and audited.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { writeTransaction } from "../../db/write-transaction";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { type IsoDate, instantOf, parseIsoDate } from "../lib/jst";
import { toYen } from "../lib/money";
import { loadTariffs } from "./history.server";
import { BUILT_IN_TARIFF_DATE } from "./tariff";
import { draftTariffVersion, isWithdrawable, type TariffVersionInput } from "./tariff-editor";
import { formatDate, formatYen } from "../lib/format";
import { conflict, notFoundFailure, ok, type Result } from "../lib/result";

export interface StoredTariffVersion {
  effectiveFrom: IsoDate;
  /** Every price in force from that day (inherited ones included). */
  prices: Readonly<Record<string, number>>;
  /** The codes this version sets itself (every code for the built-in version). */
  changed: readonly string[];
  builtIn: boolean;
  createdAt: string | null;
}

export async function listTariffVersions(db: Kysely<Database>): Promise<StoredTariffVersion[]> {
  const [versions, rows] = await Promise.all([
    loadTariffs(db),
    db
      .selectFrom("tariff_versions")
      .leftJoin("tariff_prices", "tariff_prices.version_id", "tariff_versions.id")
      .select([
        "tariff_versions.effective_from",
        "tariff_versions.created_at",
        "tariff_prices.code",
      ])
      .execute(),
  ]);
  const stored = new Map<string, { createdAt: string; codes: string[] }>();
  for (const row of rows) {
    const entry = stored.get(row.effective_from) ?? { createdAt: row.created_at, codes: [] };
    if (row.code) entry.codes.push(row.code);
    stored.set(row.effective_from, entry);
  }
  return versions.map((v) => {
    const builtIn = v.effectiveFrom === BUILT_IN_TARIFF_DATE;
    return {
      effectiveFrom: v.effectiveFrom,
      prices: v.prices,
      builtIn,
      changed: builtIn ? Object.keys(v.prices) : (stored.get(v.effectiveFrom)?.codes ?? []),
      createdAt: stored.get(v.effectiveFrom)?.createdAt ?? null,
    };
  });
}

export type TariffWriteResult = Result<{ effectiveFrom: IsoDate }>;

export async function publishTariffVersion(
  db: Kysely<Database>,
  params: { input: TariffVersionInput; today: IsoDate; at: Date; actor: AuditActor; ip: string },
): Promise<TariffWriteResult> {
  return writeTransaction(db, async (trx) => {
    // Checked against what is committed under the write lock: two operators cannot both publish
    // a version "after the latest".
    const draft = draftTariffVersion(params.input, await loadTariffs(trx), params.today);
    if (!draft.ok) return draft;
    const version = draft.value;
    const { id } = await trx
      .insertInto("tariff_versions")
      .values({ effective_from: version.effectiveFrom, created_at: instantOf(params.at) })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("tariff_prices")
      .values(
        Object.entries(version.prices).map(([code, price]) => ({
          version_id: id,
          code,
          price_yen: toYen(price),
        })),
      )
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "tariff.publish",
      entity: "tariff_version",
      entityId: version.effectiveFrom,
      summary: `料金表 ${formatDate(version.effectiveFrom)} 版を登録: ${Object.entries(
        version.prices,
      )
        .map(([code, price]) => `${code} ${formatYen(price)}`)
        .join("、")}`,
      ip: params.ip,
    });
    return ok({ effectiveFrom: version.effectiveFrom });
  });
}

export async function withdrawTariffVersion(
  db: Kysely<Database>,
  params: { effectiveFrom: string; today: IsoDate; actor: AuditActor; ip: string },
): Promise<TariffWriteResult> {
  // The form's text: a malformed date names no version, as a missing one.
  const effectiveFrom = parseIsoDate(params.effectiveFrom);
  if (!effectiveFrom) return notFoundFailure("料金表の版が見つかりません。");
  return writeTransaction(db, async (trx) => {
    const version = await trx
      .selectFrom("tariff_versions")
      .select(["id", "effective_from"])
      .where("effective_from", "=", effectiveFrom)
      .executeTakeFirst();
    if (!version) return notFoundFailure("料金表の版が見つかりません。");
    if (!isWithdrawable({ effectiveFrom: version.effective_from }, params.today))
      return conflict(`${version.effective_from} 版はすでに適用されているため取り下げられません`);
    await trx.deleteFrom("tariff_prices").where("version_id", "=", version.id).execute();
    await trx.deleteFrom("tariff_versions").where("id", "=", version.id).execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "tariff.withdraw",
      entity: "tariff_version",
      entityId: version.effective_from,
      summary: `料金表 ${formatDate(version.effective_from)} 版を取り下げ（適用前）`,
      ip: params.ip,
    });
    return ok({ effectiveFrom: version.effective_from });
  });
}
