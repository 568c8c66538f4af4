import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { clientIp, requireViewer } from "~/auth/session.server";
import { RULE_ID_ROLES } from "~/auth/tenancy";
import { LicensePanel, licenseFormName, panelError } from "~/components/LicensePanel";
import { getDb } from "~/db.server";
import { cancelIspContract, revokeIspCancellationOf } from "~/licenses/isp.server";
import {
  cancelLicense,
  completeAutoRenewalStop,
  stopAutoRenewal,
} from "~/licenses/license-changes.server";
import { getLicenseView } from "~/licenses/license-views.server";
import {
  getLicense,
  LICENSE_ACTION_ROLES,
  LICENSE_OPERATION_ROLES,
} from "~/licenses/licenses.server";
import { now } from "~/lib/clock";
import { idParam, notFound } from "~/lib/http.server";
import { checkboxField } from "~/lib/fields";
import { parseForm } from "~/lib/form";
import { formClaim, issueFormToken, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { type Result } from "~/lib/result";
import { failureResponse } from "~/lib/result.server";
import { jstDate } from "~/lib/jst";

// The panel's forms, one schema (issue 16 item 1): an intent none of them sends is a 400 that
// changes nothing.
const ActionForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("stop_renewal") }),
  z.object({ intent: z.literal("cancel"), uninstalled: checkboxField() }),
  z.object({ intent: z.literal("isp_cancel") }),
  z.object({ intent: z.literal("isp_revoke") }),
  z.object({ intent: z.literal("complete_stop") }),
]);

const DONE_SUMMARY = {
  stop_renewal: "自動延長の停止は受付済みです",
  cancel: "解約は受付済みです",
  isp_cancel: "解約の申し込みは受付済みです",
  isp_revoke: "解約予約の取り消しは受付済みです",
  complete_stop: "停止処理の完了は記録済みです",
} as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const today = jstDate(now());
  const view = await getLicenseView(
    getDb(),
    { id: idParam(params.licenseId), tenant: viewer.tenant },
    today,
  );
  if (!view) throw notFound();
  return {
    view,
    today,
    showCustomer: viewer.tenant.kind !== "customer",
    showRuleIds: RULE_ID_ROLES.includes(viewer.role),
    canAct: LICENSE_ACTION_ROLES.includes(viewer.role),
    canCompleteStop: LICENSE_OPERATION_ROLES.includes(viewer.role),
    // One one-time token for the panel's forms (issue 17 item 1): a double click stops, cancels or
    // asks for a refund once.
    formToken: LICENSE_ACTION_ROLES.includes(viewer.role)
      ? await issueFormToken(getDb(), { userId: viewer.id, form: licenseFormName(view.id) })
      : "",
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const id = idParam(params.licenseId);
  const form = await request.formData();
  const parsed = parseForm(ActionForm, form);
  const viewer = await requireViewer(request, {
    roles:
      parsed.ok && parsed.value.intent === "complete_stop"
        ? LICENSE_OPERATION_ROLES
        : LICENSE_ACTION_ROLES,
  });
  if (!parsed.ok) return failureResponse(parsed, { intent: "" });
  const input = parsed.value;
  const { intent } = input;
  const base = {
    id,
    tenant: viewer.tenant,
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
  };
  const on = jstDate(now());
  // A foreign or missing licence is 404 before its form's token is looked at, as on every page.
  if (!(await getLicense(getDb(), { id, tenant: viewer.tenant }))) throw notFound();
  const name = licenseFormName(id);
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, name, form, request),
    (db): Promise<Result<unknown>> =>
      input.intent === "stop_renewal"
        ? stopAutoRenewal(db, { ...base, on })
        : input.intent === "cancel"
          ? cancelLicense(db, { ...base, on, uninstallAcknowledged: input.uninstalled })
          : input.intent === "isp_cancel"
            ? cancelIspContract(db, { ...base, on })
            : input.intent === "isp_revoke"
              ? revokeIspCancellationOf(db, { ...base, on })
              : completeAutoRenewalStop(db, base),
    (r) => (r.ok ? { summary: DONE_SUMMARY[intent], redirect: `/licenses/${id}` } : null),
  );
  if (run.kind !== "done") return onceResponse(name, run);
  const result = run.value;
  if (!result.ok) return failureResponse(result, { intent });
  if (intent === "complete_stop") return redirect(`/licenses/${id}?processed=1`);
  return redirect(`/licenses/${id}/done?action=${intent}`);
}

export default function LicenseDetail() {
  const { view, today, showCustomer, canAct, canCompleteStop, showRuleIds, formToken } =
    useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const actionData = answer && "errors" in answer ? answer : undefined;
  const [params] = useSearchParams();
  return (
    <>
      <p>
        <Link to="/licenses">← ライセンスの一覧</Link> ・{" "}
        <Link to="/licenses/find">ライセンスを探す</Link>
      </p>
      <h1>ライセンス {view.overview.license.ref}</h1>
      {params.get("applied") ? (
        <div className="alert success" role="status" data-testid="isp-applied">
          お申込みを受け付けました。契約番号 {view.overview.license.contractNumber}
          、PIN（シリアルID）{view.overview.license.productKey}
          でソフトウェアをインストールしてください。
        </div>
      ) : null}
      {params.get("processed") ? (
        <div className="alert success" role="status">
          自動延長の停止処理を完了にしました。
        </div>
      ) : null}
      {canAct ? null : (
        <p className="muted">停止・解約のお手続きは、お客さま・販売店・運用担当者が行います。</p>
      )}
      <LicensePanel
        view={view}
        today={today}
        showCustomer={showCustomer}
        canAct={canAct}
        canCompleteStop={canCompleteStop}
        showRuleIds={showRuleIds}
        formToken={formToken}
        error={actionData ? panelError(actionData.errors, actionData.intent) : null}
      />
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: `ライセンス ${d?.view.overview.license.ref ?? ""} | セキュアライン 管理コンソール` },
];
