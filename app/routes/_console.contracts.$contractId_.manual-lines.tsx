import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { formClaim, issueFormToken, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { FieldError, FormErrorAlerts } from "~/components/Field";
import { OnceForm } from "~/components/OnceForm";
import { ActionsHeader, TableScroll } from "~/components/TableScroll";
import { useState } from "react";
import { clientIp, requireViewer } from "~/auth/session.server";
import { MANUAL_LINE_ROLES } from "~/auth/tenancy";
import {
  MANUAL_LINE_AMOUNT_LABELS,
  MANUAL_LINE_KINDS,
  MANUAL_LINE_NOTE_LABELS,
  ManualLineForm,
  manualLineEntry,
  type ManualLineKind,
} from "~/billing/manual-line-entry";
import { addManualLine, listManualLines, removeManualLine } from "~/billing/manual-lines.server";
import { taxLabel } from "~/billing/tax";
import { getContract } from "~/contracts/contracts.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { formValues, type FieldErrors, parseForm } from "~/lib/form";
import { failureResponse } from "~/lib/result.server";
import { idField } from "~/lib/fields";
import { z } from "zod";
import { idParam, notFound } from "~/lib/http.server";
import { jstDate } from "~/lib/jst";
import { formatDate, formatMonth, formatYen } from "~/lib/format";
import { titled } from "~/lib/meta";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: MANUAL_LINE_ROLES });
  const db = getDb();
  const found = await getContract(db, { id: idParam(params.contractId), tenant: viewer.tenant });
  if (!found) throw notFound();
  const { contract } = found;
  return {
    contract: { id: contract.id, ref: contract.ref, customerName: contract.customer_name },
    lines: await listManualLines(db, contract.id),
    today: jstDate(now()),
    formToken: await issueFormToken(db, { userId: viewer.id, form: "manual-line" }),
  };
}

// The page's two forms by their intent (issue 16 item 1): an unknown one is a 400, not a new line.
const ManualLinesForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("remove"), lineId: idField("明細") }),
  ManualLineForm.extend({ intent: z.literal("add") }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: MANUAL_LINE_ROLES });
  const db = getDb();
  const contractId = idParam(params.contractId);
  if (!(await getContract(db, { id: contractId, tenant: viewer.tenant }))) throw notFound();
  const form = await request.formData();
  const values = formValues(form);
  const actor = { id: viewer.id, email: viewer.email };
  const parsed = parseForm(ManualLinesForm, form);
  if (!parsed.ok) return failureResponse(parsed, { values });
  const input = parsed.value;
  if (input.intent === "remove") {
    const result = await removeManualLine(db, {
      contractId,
      lineId: input.lineId,
      actor,
      ip: clientIp(request),
    });
    if (!result.ok) return failureResponse(result, { values: null });
    return redirect(`/contracts/${contractId}/manual-lines?removed=1`);
  }
  const run = await runFormOnce(
    db,
    formClaim(viewer, "manual-line", form, request),
    (trx) =>
      addManualLine(trx, {
        contractId,
        entry: manualLineEntry(input),
        at: now(),
        actor,
        ip: clientIp(request),
      }),
    (r) =>
      r.ok
        ? { summary: "手動明細は追加済みです", redirect: `/contracts/${contractId}/manual-lines` }
        : null,
  );
  if (run.kind !== "done") return onceResponse("manual-line", run);
  const result = run.value;
  if (!result.ok) return failureResponse(result, { values });
  return redirect(`/contracts/${contractId}/manual-lines?added=1`);
}

export default function ManualLines() {
  const { contract, lines, today, formToken } = useLoaderData<typeof loader>();
  const onceAnswer = useActionData<typeof action>();
  const result = onceAnswer && "once" in onceAnswer ? undefined : onceAnswer;
  const [params] = useSearchParams();
  const errors: FieldErrors = result?.errors ?? {};
  const v = (k: string, fallback = "") => result?.values?.[k] ?? fallback;
  const [kind, setKind] = useState<ManualLineKind>(
    (v("kind", "surcharge") as ManualLineKind) in MANUAL_LINE_KINDS
      ? (v("kind", "surcharge") as ManualLineKind)
      : "surcharge",
  );
  const error = (name: string) => <FieldError name={name} errors={errors} />;
  return (
    <>
      <p>
        <Link to={`/contracts/${contract.id}`}>← 契約 {contract.ref}</Link>
      </p>
      <h1>
        手動明細（{contract.ref}・{contract.customerName}）
      </h1>
      <p className="muted">
        料金表にない請求・減額を、計上日の月の請求書に載せます。請求書の発行後は変更できません（訂正は返還請求書で行います）。
      </p>
      {params.get("added") ? (
        <div className="alert success" role="status">
          手動明細を登録しました。計上日の月の請求書に載ります。
        </div>
      ) : null}
      {params.get("removed") ? (
        <div className="alert success" role="status">
          手動明細を削除しました。
        </div>
      ) : null}
      <FormErrorAlerts errors={errors} refused={Boolean(result?.values)} />

      <OnceForm token={formToken} form="manual-line" method="post" className="stack">
        <input type="hidden" name="intent" value="add" />
        <label>
          種類
          <select
            name="kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as ManualLineKind)}
            aria-invalid={errors.kind ? true : undefined}
          >
            {Object.entries(MANUAL_LINE_KINDS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
          {error("kind")}
        </label>
        <label>
          計上日（この日の月の請求書に載ります）
          <input
            type="date"
            name="date"
            defaultValue={v("date", today)}
            aria-invalid={errors.date ? true : undefined}
            aria-describedby={errors.date ? "date-error" : undefined}
          />
          {error("date")}
        </label>
        <label>
          {MANUAL_LINE_AMOUNT_LABELS[kind]}
          <input
            type="text"
            inputMode="numeric"
            name="amount"
            defaultValue={v("amount")}
            aria-invalid={errors.amount ? true : undefined}
            aria-describedby={errors.amount ? "amount-error" : undefined}
          />
          <span className="muted hint-text">
            割増金は免れた料金を入力します（2倍を計上）。減免は減額する金額を入力します（マイナスで計上）。
          </span>
          {error("amount")}
        </label>
        <label>
          {MANUAL_LINE_NOTE_LABELS[kind]}
          <input
            type="text"
            name="note"
            defaultValue={v("note")}
            maxLength={100}
            aria-invalid={errors.note ? true : undefined}
            aria-describedby={errors.note ? "note-error" : undefined}
          />
          {error("note")}
        </label>
        <fieldset>
          <legend>課税区分（割増金：免れた料金の区分／その他の手動明細）</legend>
          <label className="check">
            <input
              type="radio"
              name="taxCategory"
              value="taxable_10"
              defaultChecked={v("taxCategory", "taxable_10") === "taxable_10"}
            />{" "}
            課税（10%）
          </label>
          <label className="check">
            <input
              type="radio"
              name="taxCategory"
              value="non_taxable"
              defaultChecked={v("taxCategory") === "non_taxable"}
            />{" "}
            非課税・不課税
          </label>
          {error("taxCategory")}
        </fieldset>
        <fieldset>
          <legend>請求・減額（その他の手動明細）</legend>
          <label className="check">
            <input
              type="radio"
              name="sign"
              value="charge"
              defaultChecked={v("sign", "charge") === "charge"}
            />{" "}
            請求
          </label>
          <label className="check">
            <input
              type="radio"
              name="sign"
              value="credit"
              defaultChecked={v("sign") === "credit"}
            />{" "}
            減額
          </label>
        </fieldset>
        <button type="submit">手動明細を登録する</button>
      </OnceForm>

      <h2>登録済みの手動明細</h2>
      {lines.length === 0 ? (
        <div className="empty">手動明細はありません。</div>
      ) : (
        <TableScroll label="手動明細">
          <table className="data" aria-label="手動明細">
            <thead>
              <tr>
                <th scope="col">計上日</th>
                <th scope="col">規則</th>
                <th scope="col">内容</th>
                <th scope="col">課税区分</th>
                <th scope="col" className="num">
                  金額
                </th>
                <th scope="col">請求書</th>
                <th scope="col">登録</th>
                <ActionsHeader />
              </tr>
            </thead>
            <tbody>
              {lines.map((line) => (
                <tr key={line.id}>
                  <td>{formatDate(line.lineDate)}</td>
                  <td>{line.rule}</td>
                  <td>{line.description}</td>
                  <td>
                    {taxLabel({
                      rule: line.rule,
                      taxCategory: line.taxable ? "taxable_10" : "non_taxable",
                    })}
                  </td>
                  <td className="num">{formatYen(line.amountYen)}</td>
                  <td>
                    {line.invoiceNumber ? (
                      <Link to={`/invoices/${line.invoiceId}`}>{line.invoiceNumber}</Link>
                    ) : (
                      `未請求（${formatMonth(line.lineDate)}分）`
                    )}
                  </td>
                  <td>{line.createdBy ?? "—"}</td>
                  <td>
                    {line.removable ? (
                      <Form method="post">
                        <input type="hidden" name="intent" value="remove" />
                        <input type="hidden" name="lineId" value={line.id} />
                        <button
                          type="submit"
                          className="secondary"
                          aria-label={`${formatDate(line.lineDate)} ${line.description} を削除する`}
                        >
                          削除する
                        </button>
                      </Form>
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

export const meta = titled("手動明細");
