// Transfer (T-10) and succession (T-12) of a contract, within the tenant: the request shows what
// the new holder takes over — every unpaid invoice with its interest to date (T-10-4) — before
// it is filed; the operator approves (the contract moves to the new holder in one transaction,
// both parties are e-mailed) or refuses on a ground of T-10-3. Succession registers the
// successors and their representative (T-12-2/3).
import type { Kysely } from "kysely";
import { inTransaction } from "../lib/transaction.server";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { inviteCustomerAdmin } from "../auth/invitations.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { listInvoices } from "../billing/invoices.server";
import { firstWholeJstDay, instantOf, type IsoDate } from "../lib/jst";
import { toYen, type Yen } from "../lib/money";
import { queueMail } from "../mail/outbox.server";
import {
  HOLDER_CHANGE_KIND_LABELS,
  representativeOf,
  SUCCESSION_CAUSE_LABELS,
  SUCCESSION_RETURN_REASONS,
  TRANSFER_REFUSAL_REASONS,
  validateHolderChange,
  type HolderChangeInput,
} from "./holder-change";
import { formatDate, formatYen } from "../lib/format";
import { conflict, invalid, invalidField, notFoundFailure, ok, type Result } from "../lib/result";

type Db = Kysely<Database>;

/** The successors stored on a succession (JSON), none on a transfer. */
function successorsOf(row: { successors: string | null }): string[] {
  return row.successors ? (JSON.parse(row.successors) as string[]) : [];
}

async function contractInTenant(db: Db, contractId: number, tenant: Tenant) {
  return db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "contracts.id",
      "contracts.ref",
      "contracts.status",
      "contracts.line_id",
      "contracts.admin_email",
      "customers.id as customer_id",
      "customers.name as customer_name",
      "customers.reseller_id",
    ])
    .where("contracts.id", "=", contractId)
    .where(customerInTenant(tenant))
    .executeTakeFirst();
}

export interface TakeoverInvoice {
  invoiceNumber: string;
  billingMonth: string;
  dueDate: IsoDate;
  outstandingYen: number;
  accruedInterestYen: number;
}

/** T-10-4: what the new holder takes over — every invoice of the contract not fully paid, and the interest accrued on it to `today`. */
export async function unpaidToTakeOver(
  db: Db,
  contractId: number,
  today: IsoDate,
): Promise<{ invoices: TakeoverInvoice[]; totalYen: Yen; interestYen: number }> {
  const rows = await listInvoices(
    db,
    { kind: "provider" },
    { contractId, status: "unpaid" },
    today,
  );
  const invoices = rows
    .map((r) => ({
      invoiceNumber: r.invoice_number,
      billingMonth: r.billing_month,
      dueDate: r.due_date,
      outstandingYen: r.owedYen - r.paidYen,
      accruedInterestYen: r.accruedInterestYen,
    }))
    .sort((a, b) => a.billingMonth.localeCompare(b.billingMonth));
  return {
    invoices,
    totalYen: toYen(invoices.reduce((a, i) => a + i.outstandingYen, 0)),
    interestYen: invoices.reduce((a, i) => a + i.accruedInterestYen, 0),
  };
}

/** T-10-3(2): what an existing customer owes past due on any of its contracts. */
async function overdueOf(db: Db, customerId: number, today: IsoDate): Promise<number> {
  const rows = await listInvoices(
    db,
    { kind: "customer", customerId },
    { status: "overdue" },
    today,
  );
  return rows.reduce((a, r) => a + r.owedYen - r.paidYen, 0);
}

/** Everything the transfer page shows, or null when the contract is not in the tenant. */
export async function holderChangePage(
  db: Db,
  params: { contractId: number; tenant: Tenant; today: IsoDate },
) {
  const contract = await contractInTenant(db, params.contractId, params.tenant);
  if (!contract) return null;
  const candidates =
    params.tenant.kind === "customer"
      ? []
      : await db
          .selectFrom("customers")
          .select(["customers.id", "customers.ref", "customers.name"])
          .where(customerInTenant(params.tenant))
          .where("customers.id", "<>", contract.customer_id)
          .where((eb) =>
            contract.reseller_id === null
              ? eb("customers.reseller_id", "is", null)
              : eb("customers.reseller_id", "=", contract.reseller_id),
          )
          .orderBy("customers.ref")
          .execute();
  const rows = await db
    .selectFrom("contract_holder_changes")
    .innerJoin("customers as from_c", "from_c.id", "contract_holder_changes.from_customer_id")
    .leftJoin("customers as to_c", "to_c.id", "contract_holder_changes.to_customer_id")
    // The requester by display name, never by address (issue 17 item 6).
    .leftJoin("users as requester", "requester.email", "contract_holder_changes.requested_by")
    .selectAll("contract_holder_changes")
    .select([
      "from_c.name as from_name",
      "to_c.name as to_name",
      "to_c.ref as to_ref",
      "requester.display_name as requested_by_name",
    ])
    .where("contract_holder_changes.contract_id", "=", contract.id)
    .orderBy("contract_holder_changes.id", "desc")
    .execute();
  const changes = await Promise.all(
    rows.map(async ({ requested_by: _r, decided_by: _d, ...r }) => {
      // The addresses stay on the server: the page shows the display name (issue 17 item 6).
      const successors = successorsOf(r);
      return {
        ...r,
        successorList: successors,
        representativeNow:
          r.kind === "succession" ? representativeOf(successors, r.representative) : null,
        takenOverInvoices: r.taken_over_invoices
          ? (JSON.parse(r.taken_over_invoices) as string[])
          : [],
        // T-10-3(2): an operator deciding sees whether the existing transferee is in arrears.
        transfereeOverdueYen:
          r.status === "requested" && r.to_customer_id !== null
            ? await overdueOf(db, r.to_customer_id, params.today)
            : 0,
      };
    }),
  );
  return {
    contract,
    candidates,
    changes,
    takeover: await unpaidToTakeOver(db, contract.id, params.today),
  };
}

export type RequestResult = Result<{ id: number }>;

/** Files a transfer request or a succession registration; writes nothing when any field is wrong. */
export async function requestHolderChange(
  db: Db,
  params: {
    contractId: number;
    tenant: Tenant;
    input: HolderChangeInput;
    at: Date;
    actor: AuditActor;
    ip: string;
  },
): Promise<RequestResult> {
  const contract = await contractInTenant(db, params.contractId, params.tenant);
  if (!contract) return notFoundFailure();
  const input: HolderChangeInput = {
    ...params.input,
    // A customer names its transferee; choosing among the reseller's customers is the reseller's and the provider's.
    existingCustomerId: params.tenant.kind === "customer" ? null : params.input.existingCustomerId,
  };
  if (input.kind === "succession" && input.existingCustomerId === null)
    input.name = representativeOf(input.successors, input.representative).name;
  const errors = validateHolderChange(input);
  if (contract.status === "terminated") errors._form = "解約済みの契約は譲渡・承継できません";
  let party = {
    name: input.name.trim(),
    address: input.address.trim(),
    phone: input.phone.trim(),
    email: input.email.trim(),
  };
  if (input.existingCustomerId !== null) {
    const target = await db
      .selectFrom("customers")
      .select([
        "customers.id",
        "customers.name",
        "customers.address",
        "customers.phone",
        "customers.email",
        "customers.reseller_id",
      ])
      .where("customers.id", "=", input.existingCustomerId)
      .where(customerInTenant(params.tenant))
      .executeTakeFirst();
    if (
      !target ||
      target.id === contract.customer_id ||
      target.reseller_id !== contract.reseller_id
    ) {
      errors.existingCustomerId = "譲受人を選び直してください";
    } else {
      party = {
        name: target.name,
        address: target.address,
        phone: target.phone,
        email: target.email,
      };
    }
  }
  const open = await db
    .selectFrom("contract_holder_changes")
    .select("id")
    .where("contract_id", "=", contract.id)
    .where("status", "=", "requested")
    .executeTakeFirst();
  if (open)
    errors._form = `審査中の手続き（#${open.id}）があります。結果が出るか取り下げるまでお待ちください`;
  if (Object.keys(errors).length > 0) return invalid(errors);
  const at = instantOf(params.at);
  const id = await inTransaction(db, async (trx) => {
    const { id } = await trx
      .insertInto("contract_holder_changes")
      .values({
        contract_id: contract.id,
        kind: input.kind,
        cause: input.kind === "succession" ? input.cause : null,
        from_customer_id: contract.customer_id,
        to_customer_id: input.existingCustomerId,
        party_name: party.name,
        party_address: party.address,
        party_phone: party.phone,
        party_email: party.email,
        successors: input.kind === "succession" ? JSON.stringify(input.successors) : null,
        representative: input.kind === "succession" ? input.representative : null,
        evidence: input.evidence,
        evidence_note: input.evidenceNote.trim(),
        status: "requested",
        refusal_reason: null,
        refusal_note: null,
        effective_date: null,
        taken_over_yen: null,
        taken_over_invoices: null,
        requested_by: params.actor.email ?? "",
        requested_at: at,
        decided_by: null,
        decided_at: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: params.actor,
      action:
        input.kind === "transfer" ? "contract.transfer_request" : "contract.succession_register",
      entity: "contract",
      entityId: contract.ref,
      summary:
        input.kind === "transfer"
          ? `${contract.ref} 譲渡の申請 #${id}（譲受人 ${party.name}）`
          : `${contract.ref} 地位の承継の届出 #${id}（${SUCCESSION_CAUSE_LABELS[input.cause!]}、承継者 ${input.successors.join("・")}）`,
      ip: params.ip,
    });
    return id;
  });
  return ok({ id });
}

/** The change with its contract, both in the tenant; null (a 404) when either is not. */
async function changeInTenant(
  db: Db,
  ids: { changeId: number; contractId: number },
  tenant: Tenant,
) {
  const contract = await contractInTenant(db, ids.contractId, tenant);
  if (!contract) return null;
  const change = await db
    .selectFrom("contract_holder_changes")
    .selectAll()
    .where("id", "=", ids.changeId)
    .where("contract_id", "=", contract.id)
    .executeTakeFirst();
  return change ? { contract, change } : null;
}

/** The requester (or anyone of the tenant) withdraws a request still under review. */
export async function withdrawHolderChange(
  db: Db,
  params: {
    changeId: number;
    contractId: number;
    tenant: Tenant;
    at: Date;
    actor: AuditActor;
    ip: string;
  },
): Promise<Result> {
  const found = await changeInTenant(db, params, params.tenant);
  if (!found) return notFoundFailure();
  const { contract, change } = found;
  if (change.status !== "requested") return conflict("審査中の手続きではありません");
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable("contract_holder_changes")
      .set({
        status: "withdrawn",
        decided_by: params.actor.email,
        decided_at: instantOf(params.at),
      })
      .where("id", "=", change.id)
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "contract.holder_change_withdraw",
      entity: "contract",
      entityId: contract.ref,
      summary: `${contract.ref} ${HOLDER_CHANGE_KIND_LABELS[change.kind]} #${change.id} を取下げ`,
      ip: params.ip,
    });
  });
  return ok();
}

/**
 * The operator's decision. Approval moves the contract, with its unpaid invoices, to the new
 * holder in one transaction (a customer is created for a new holder) and e-mails both parties;
 * refusal needs a ground of T-10-3 (transfer) or a return reason (succession).
 */
export async function decideHolderChange(
  db: Db,
  params: {
    changeId: number;
    contractId: number;
    approve: boolean;
    reasonCode: number | null;
    note: string;
    today: IsoDate;
    at: Date;
    actor: AuditActor;
    ip: string;
    providerName: string;
    consoleUrl: string;
  },
): Promise<Result> {
  const found = await changeInTenant(db, params, { kind: "provider" });
  if (!found) return notFoundFailure();
  const { contract, change } = found;
  if (change.status !== "requested") return conflict("審査中の手続きではありません");
  const reasons = change.kind === "transfer" ? TRANSFER_REFUSAL_REASONS : SUCCESSION_RETURN_REASONS;
  if (!params.approve && (params.reasonCode === null || !reasons[params.reasonCode])) {
    return invalidField(
      "reasonCode",
      change.kind === "transfer"
        ? "不承認の理由を第10条第3項から選んでください"
        : "差戻しの理由を選んでください",
    );
  }
  if (params.approve) {
    if (contract.status === "terminated") return conflict("解約済みの契約は譲渡・承継できません");
    const pending = await db
      .selectFrom("terminations")
      .select("wished_date")
      .where("contract_id", "=", contract.id)
      .where("confirmed_on", "is", null)
      .where("withdrawn_at", "is", null)
      .executeTakeFirst();
    if (pending)
      return conflict("解約のお申し込み中です。解約の取下げか確定のあとで手続きしてください");
    // A change the old holder asked for (e.g. its contact details) must not land on the new holder's record.
    const pendingChange = await db
      .selectFrom("contract_changes")
      .select("id")
      .where("contract_id", "=", contract.id)
      .where("status", "=", "requested")
      .executeTakeFirst();
    if (pendingChange)
      return conflict(
        `審査中の契約内容の変更（#${pendingChange.id}）があります。先に審査してください`,
      );
  }
  const at = instantOf(params.at);
  const label = HOLDER_CHANGE_KIND_LABELS[change.kind];
  await inTransaction(db, async (trx) => {
    if (!params.approve) {
      await trx
        .updateTable("contract_holder_changes")
        .set({
          status: "refused",
          refusal_reason: params.reasonCode,
          refusal_note: params.note || null,
          decided_by: params.actor.email,
          decided_at: at,
        })
        .where("id", "=", change.id)
        .execute();
      await queueMail(
        trx,
        {
          kind: "holder_change_refused",
          ref: `holder-change:${change.id}:refused`,
          to: contract.admin_email,
          subject: `【${params.providerName}】${label}の審査結果のお知らせ（${contract.ref}）`,
          text: [
            `${contract.customer_name} さま`,
            "",
            `ご契約 ${contract.ref} の${label}（#${change.id}）は、次の理由により${change.kind === "transfer" ? "承認できませんでした" : "受け付けできませんでした"}。`,
            `理由: ${reasons[params.reasonCode!]}${params.note ? `（${params.note}）` : ""}`,
          ].join("\n"),
        },
        params.at,
      );
      await recordAudit(trx, {
        actor: params.actor,
        action: "contract.holder_change_refuse",
        entity: "contract",
        entityId: contract.ref,
        summary: `${contract.ref} ${label} #${change.id} を不承認: ${reasons[params.reasonCode!]}${params.note ? ` ${params.note}` : ""}`,
        ip: params.ip,
      });
      return;
    }
    const takeover = await unpaidToTakeOver(trx, contract.id, params.today);
    let toCustomerId = change.to_customer_id;
    if (toCustomerId === null) {
      ({ id: toCustomerId } = await trx
        .insertInto("customers")
        .values({
          ref: `C-T${String(change.id).padStart(4, "0")}`,
          reseller_id: contract.reseller_id,
          name: change.party_name,
          email: change.party_email,
          phone: change.party_phone,
          address: change.party_address,
          created_at: at,
          updated_at: at,
        })
        .returning("id")
        .executeTakeFirstOrThrow());
      // The new holder's administrator gets an account at the address given for it.
      await inviteCustomerAdmin(trx, {
        ...params,
        customer: { id: toCustomerId, name: change.party_name },
        email: change.party_email,
        displayName: "ご担当者",
      });
    }
    // The notification addressees move to the new holder with the contract. A transferee sees
    // the line's security records from this instant on (T-10); a successor steps into the
    // holder's place (T-12) and keeps its history.
    await trx
      .updateTable("contracts")
      .set({
        customer_id: toCustomerId,
        admin_email: change.party_email,
        admin_phone: change.party_phone,
        updated_at: at,
        ...(change.kind === "transfer"
          ? { holder_since: at, holder_first_day: firstWholeJstDay(params.at) }
          : {}),
      })
      .where("id", "=", contract.id)
      .execute();
    await trx
      .updateTable("contract_holder_changes")
      .set({
        status: "approved",
        to_customer_id: toCustomerId,
        effective_date: params.today,
        decided_by: params.actor.email,
        decided_at: at,
        taken_over_yen: takeover.totalYen,
        taken_over_invoices: JSON.stringify(takeover.invoices.map((i) => i.invoiceNumber)),
      })
      .where("id", "=", change.id)
      .execute();
    const unpaidLines =
      takeover.invoices.length === 0
        ? ["未払いの料金はありません。"]
        : [
            `未払いの料金 ${formatYen(takeover.totalYen)}（${takeover.invoices.map((i) => i.invoiceNumber).join("、")}）と、その遅延利息は、新しい契約者さまにお支払いいただきます（規約第10条第4項）。`,
          ];
    const successors = successorsOf(change);
    const representative = representativeOf(successors, change.representative);
    await queueMail(
      trx,
      {
        kind: "holder_change_approved",
        ref: `holder-change:${change.id}:approved:to`,
        to: change.party_email,
        subject: `【${params.providerName}】${label}の${change.kind === "transfer" ? "承認" : "受付"}のお知らせ（${contract.ref}）`,
        text: [
          `${change.party_name} さま`,
          "",
          `ご契約 ${contract.ref}（回線 ${contract.line_id}）は、${formatDate(params.today)}付で ${contract.customer_name} さまから ${change.party_name} さまに${change.kind === "transfer" ? "譲渡" : "承継"}されました。`,
          "本契約に係る一切の権利および義務を引き継いでいただきます。",
          ...unpaidLines,
          ...(change.kind === "succession" && successors.length > 1
            ? [
                representative.named
                  ? `当社に対する代表者: ${representative.name} さま（第12条第2項）`
                  : `代表者のお届けがあるまで、${representative.name} さまを代表者として取り扱います（第12条第3項）。代表者を定めたらお届けください。`,
              ]
            : []),
        ].join("\n"),
      },
      params.at,
    );
    if (contract.admin_email !== change.party_email) {
      await queueMail(
        trx,
        {
          kind: "holder_change_approved",
          ref: `holder-change:${change.id}:approved:from`,
          to: contract.admin_email,
          subject: `【${params.providerName}】${label}完了のお知らせ（${contract.ref}）`,
          text: [
            `${contract.customer_name} さま`,
            "",
            `ご契約 ${contract.ref}（回線 ${contract.line_id}）は、${formatDate(params.today)}付で ${change.party_name} さまに${change.kind === "transfer" ? "譲渡" : "承継"}されました。`,
            "以後のご請求・ご連絡は新しい契約者さまにお送りします。",
          ].join("\n"),
        },
        params.at,
      );
    }
    await recordAudit(trx, {
      actor: params.actor,
      action: "contract.holder_change_approve",
      entity: "contract",
      entityId: contract.ref,
      summary: `${contract.ref} ${label} #${change.id} を承認（${contract.customer_name} → ${change.party_name}、未払い ${formatYen(takeover.totalYen)}を承継）`,
      ip: params.ip,
    });
  });
  return ok();
}

/** T-12-2: the successors name (or change) their representative after the registration. */
export async function nameRepresentative(
  db: Db,
  params: {
    changeId: number;
    contractId: number;
    tenant: Tenant;
    representative: string;
    at: Date;
    actor: AuditActor;
    ip: string;
  },
): Promise<Result> {
  const found = await changeInTenant(db, params, params.tenant);
  if (!found || found.change.kind !== "succession") return notFoundFailure();
  const { contract, change } = found;
  if (change.status !== "approved" && change.status !== "requested")
    return conflict("この届出の代表者は変更できません");
  if (!successorsOf(change).includes(params.representative))
    return invalidField(
      "representativeName",
      "代表者は承継した方の中から選んでください（第12条第2項）",
    );
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable("contract_holder_changes")
      .set({ representative: params.representative })
      .where("id", "=", change.id)
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "contract.representative",
      entity: "contract",
      entityId: contract.ref,
      summary: `${contract.ref} 承継 #${change.id} の代表者を ${params.representative} として届出（第12条第2項）`,
      ip: params.ip,
    });
  });
  return ok();
}
