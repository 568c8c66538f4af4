import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { clientIp, requireViewer } from "~/auth/session.server";
import { OPERATIONS_ROLES } from "~/auth/tenancy";
import { ActionsHeader, TableScroll } from "~/components/TableScroll";
import { getContract } from "~/contracts/contracts.server";
import { SUSPENSION_REASONS, type SuspensionReason } from "~/contracts/suspension-reasons";
import {
  liftSuspension,
  markGatewayReturned,
  suspendContract,
  suspensionRecords,
  terminateByProvider,
} from "~/contracts/suspensions.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import {
  checkboxField,
  choiceField,
  dateField,
  idField,
  noteField,
  optionalNoteField,
} from "~/lib/fields";
import { parseForm } from "~/lib/form";
import { failureMessage, failureStatus, type Result } from "~/lib/result";
import { OnceForm } from "~/components/OnceForm";
import { formClaim, issueFormTokens, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { z } from "zod";
import { idParam, notFound } from "~/lib/http.server";
import { jstDate } from "~/lib/jst";
import { CONTRACT_STATUS_LABELS } from "~/lib/labels";
import { formatDate, formatInstantDate } from "~/lib/format";
import { titled } from "~/lib/meta";

const liftForm = (suspensionId: number) => `suspension-lift-${suspensionId}`;
const returnForm = (returnId: number) => `gateway-returned-${returnId}`;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const db = getDb();
  const found = await getContract(db, { id: idParam(params.contractId), tenant: viewer.tenant });
  if (!found) throw notFound();
  const { suspensions, returns } = await suspensionRecords(db, {
    contractId: found.contract.id,
    tenant: viewer.tenant,
  });
  // Every form here records something: each carries a one-time token (issue 17 item 1), the
  // rows' forms one each, so a double click lifts or records once.
  const formTokens = await issueFormTokens(db, {
    userId: viewer.id,
    forms: [
      "suspend",
      "terminate",
      ...suspensions.filter((s) => !s.lifted_at).map((s) => liftForm(s.id)),
      ...returns.filter((r) => r.status === "awaiting").map((r) => returnForm(r.id)),
    ],
  });
  return { contract: found.contract, suspensions, returns, today: jstDate(now()), formTokens };
}

// The page's four forms, one schema (issue 16 item 1): an unknown intent is a 400, the reason is
// one of T-17's and the ids are numbers or a field error.
const AdminForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("suspend"),
    reason: choiceField(
      Object.keys(SUSPENSION_REASONS) as [SuspensionReason, ...SuspensionReason[]],
      "停止の理由",
    ),
    note: optionalNoteField("メモ"),
    startsOn: dateField("開始日"),
    endsOn: z
      .union([z.literal(""), dateField("終了日")])
      .optional()
      .transform((v) => v || null),
    emergency: checkboxField(),
  }),
  z.object({
    intent: z.literal("lift"),
    suspensionId: idField("停止"),
    liftReason: optionalNoteField("解除の理由"),
  }),
  z.object({
    intent: z.literal("terminate"),
    customerFault: checkboxField(),
    terminationReason: noteField("解除の理由", { required: true }),
    endDate: dateField("終了日"),
  }),
  z.object({
    intent: z.literal("returned"),
    returnId: idField("返却"),
    returnedOn: dateField("返却日"),
  }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const formData = await request.formData();
  const db = getDb();
  const contractId = idParam(params.contractId);
  if (!(await getContract(db, { id: contractId, tenant: viewer.tenant }))) throw notFound();
  const base = { at: now(), actor: { id: viewer.id, email: viewer.email }, ip: clientIp(request) };
  const today = jstDate(base.at);
  const parsed = parseForm(AdminForm, formData);
  if (!parsed.ok) return data({ error: failureMessage(parsed) }, { status: 400 });
  const input = parsed.value;
  // A row of another contract named on this page is a 404 before any token is used.
  if (input.intent === "lift" || input.intent === "returned") {
    const { suspensions, returns } = await suspensionRecords(db, {
      contractId,
      tenant: viewer.tenant,
    });
    const known =
      input.intent === "lift"
        ? suspensions.some((s) => s.id === input.suspensionId)
        : returns.some((r) => r.id === input.returnId);
    if (!known) throw notFound();
  }
  const once = (form: string, summary: string, work: (trx: Kysely<Database>) => Promise<Result>) =>
    runFormOnce(db, formClaim(viewer, form, formData, request), work, (r) =>
      r.ok ? { summary, redirect: `/contracts/${contractId}/admin` } : null,
    ).then((run) => ({ form, run }));
  const { form, run } = await (() => {
    switch (input.intent) {
      case "suspend":
        return once("suspend", "利用停止は通知済みです", (trx) =>
          suspendContract(trx, {
            ...base,
            contractId,
            reason: input.reason,
            note: input.note,
            startsOn: input.startsOn,
            endsOn: input.endsOn,
            emergency: input.emergency,
            today,
          }),
        );
      case "lift":
        return once(liftForm(input.suspensionId), "利用停止は解除済みです", (trx) =>
          liftSuspension(trx, {
            ...base,
            contractId,
            suspensionId: input.suspensionId,
            reason: input.liftReason || "オペレーターによる解除",
          }),
        );
      case "terminate":
        return once("terminate", "契約解除は通知済みです", (trx) =>
          terminateByProvider(trx, {
            ...base,
            contractId,
            customerFault: input.customerFault,
            reason: input.terminationReason,
            endDate: input.endDate,
            today,
          }),
        );
      case "returned":
        return once(returnForm(input.returnId), "返却は記録済みです", (trx) =>
          markGatewayReturned(trx, {
            ...base,
            contractId,
            returnId: input.returnId,
            returnedOn: input.returnedOn,
          }),
        );
    }
  })();
  if (run.kind !== "done") return onceResponse(form, run);
  const result = run.value;
  if (!result.ok) {
    if (result.kind === "not_found") throw notFound();
    return data({ error: failureMessage(result) }, { status: failureStatus(result) });
  }
  return redirect(`/contracts/${contractId}/admin?done=1`);
}

export default function ContractAdmin() {
  const { contract, suspensions, returns, today, formTokens } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const error = answer && "error" in answer ? answer.error : undefined;
  const [params] = useSearchParams();
  return (
    <>
      <p>
        <Link to={`/contracts/${contract.id}`}>← 契約 {contract.ref}</Link>
      </p>
      <h1>
        利用停止・契約解除（{contract.ref}）
        <span className={`badge ${contract.status}`}>
          {CONTRACT_STATUS_LABELS[contract.status]}
        </span>
      </h1>
      {params.get("done") ? (
        <div className="alert success" role="status">
          記録しました。
        </div>
      ) : null}
      {error ? (
        <div className="alert error" role="alert">
          {error}
        </div>
      ) : null}
      {contract.status === "active" ? (
        <OnceForm method="post" className="stack" token={formTokens.suspend} form="suspend">
          <h2>利用停止（規約第17条）</h2>
          <p className="muted">
            停止の理由・開始日・期間は、緊急の場合を除き事前にメールでお知らせします。停止中も月額料金はかかります。
          </p>
          <input type="hidden" name="intent" value="suspend" />
          <label>
            理由
            <select name="reason" defaultValue="">
              <option value="">選んでください</option>
              {Object.entries(SUSPENSION_REASONS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <label>
            補足
            <input type="text" name="note" />
          </label>
          <label>
            開始日
            <input type="date" name="startsOn" min={today} />
          </label>
          <label>
            終了日（空欄は理由の解消まで）
            <input type="date" name="endsOn" />
          </label>
          <label className="check">
            <input type="checkbox" name="emergency" /> 緊急（事前の通知なく本日から停止）
          </label>
          <button type="submit">利用停止を通知する</button>
        </OnceForm>
      ) : null}
      <h2>利用停止の履歴</h2>
      {suspensions.length === 0 ? (
        <div className="empty">利用停止の記録はありません。</div>
      ) : (
        <TableScroll>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">理由</th>
                <th scope="col">開始</th>
                <th scope="col">終了</th>
                <th scope="col">解除</th>
                <ActionsHeader />
              </tr>
            </thead>
            <tbody>
              {suspensions.map((s) => (
                <tr key={s.id}>
                  <td>{SUSPENSION_REASONS[s.reason_code as SuspensionReason] ?? s.reason_code}</td>
                  <td>{formatDate(s.starts_on)}</td>
                  <td>{formatDate(s.ends_on)}</td>
                  <td>
                    {s.lifted_at ? `${formatInstantDate(s.lifted_at)}（${s.lifted_reason}）` : "—"}
                  </td>
                  <td>
                    {s.lifted_at ? null : (
                      <OnceForm
                        method="post"
                        className="row tight"
                        token={formTokens[liftForm(s.id)]}
                        form={liftForm(s.id)}
                      >
                        <input type="hidden" name="intent" value="lift" />
                        <input type="hidden" name="suspensionId" value={s.id} />
                        <input
                          type="text"
                          name="liftReason"
                          placeholder="解除の理由"
                          aria-label="解除の理由"
                        />
                        <button type="submit" className="secondary">
                          解除する
                        </button>
                      </OnceForm>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {contract.status !== "terminated" ? (
        <OnceForm
          method="post"
          className="stack mt-20"
          token={formTokens.terminate}
          form="terminate"
        >
          <h2>当社からの契約解除（規約第19条・第21条）</h2>
          <input type="hidden" name="intent" value="terminate" />
          <label>
            終了日
            <input type="date" name="endDate" min={today} />
          </label>
          <label>
            理由（通知に記載）
            <input type="text" name="terminationReason" />
          </label>
          <label className="check">
            <input type="checkbox" name="customerFault" />{" "}
            お客さまの責めによる解除（最低利用期間内は解約違約金あり）
          </label>
          <button type="submit">契約解除を通知する</button>
        </OnceForm>
      ) : null}
      <h2>レンタルゲートウェイの返却（別紙4 注※3）</h2>
      {returns.length === 0 ? (
        <div className="empty">返却待ちの装置はありません。</div>
      ) : (
        <TableScroll>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">装置</th>
                <th scope="col">返却期限</th>
                <th scope="col">状態</th>
                <ActionsHeader />
              </tr>
            </thead>
            <tbody>
              {returns.map((r) => (
                <tr key={r.id}>
                  <td>{r.model}</td>
                  <td>{formatDate(r.due_on)}</td>
                  <td>
                    {r.status === "awaiting"
                      ? r.due_on < today
                        ? "返却期限超過（料金表に機器代金 device.gw… が設定されると請求します）"
                        : "返却待ち"
                      : r.status === "returned"
                        ? `返却済み（${formatDate(r.returned_on)}）`
                        : "未返却：機器代金を請求"}
                  </td>
                  <td>
                    {r.status === "awaiting" ? (
                      <OnceForm
                        method="post"
                        className="row tight"
                        token={formTokens[returnForm(r.id)]}
                        form={returnForm(r.id)}
                      >
                        <input type="hidden" name="intent" value="returned" />
                        <input type="hidden" name="returnId" value={r.id} />
                        <input
                          type="date"
                          name="returnedOn"
                          defaultValue={today}
                          aria-label="返却日"
                        />
                        <button type="submit" className="secondary">
                          返却を記録
                        </button>
                      </OnceForm>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}

export const meta = titled("利用停止・契約解除");
