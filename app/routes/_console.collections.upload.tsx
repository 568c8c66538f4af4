// Browser uploads of the bank's files (issue 20): the 口座振替 result file and a bank statement
// CSV; the same operations as `collections -- import-result` / `import-statement`, with their
// summary or the refused record shown here. Its body limit is in scripts/edge.ts.
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData } from "@remix-run/react";
import { clientIp, requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import { importDebitResult, importStatement } from "~/collections/collections.server";
import { UPLOAD_FORMS } from "~/collections/upload-forms";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { formatYen } from "~/lib/format";
import { parseForm } from "~/lib/form";
import { formClaim, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { failureMessage, invalid, invalidField, ok, type Result } from "~/lib/result";
import { failureResponse } from "~/lib/result.server";
import { OnceNotice } from "~/components/OnceForm";
import { z } from "zod";

// The two uploads, one schema (issue 16 item 1): an intent neither form sends is a 400.
const UploadForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("result"), file: z.instanceof(File).optional() }),
  z.object({ intent: z.literal("statement"), file: z.instanceof(File).optional() }),
]);

// Not a redirect: after the upload's POST the page is rendered with the action's result.
export async function loader({ request }: LoaderFunctionArgs) {
  await requireViewer(request, { roles: FINANCE_ROLES });
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: FINANCE_ROLES });
  const form = await request.formData();
  const parsed = parseForm(UploadForm, form);
  if (!parsed.ok) return failureResponse(parsed, { kind: "statement" as const, summary: null });
  const { intent: kind, file } = parsed.value;
  if (!file || file.size === 0)
    return failureResponse(invalidField("file", "ファイルを選んでください"), {
      kind,
      summary: null,
    });
  const bytes = Buffer.from(await file.arrayBuffer());
  const context = {
    at: now(),
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
  };
  // The file and its token in one transaction (issue 17 item 1): a reload of the answer or a second
  // click imports nothing twice; a refused file leaves the token for the corrected one.
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, UPLOAD_FORMS[kind], form, request),
    (trx): Promise<Result<string, "file">> =>
      kind === "result"
        ? importDebitResult(trx, { ...context, bytes }).then((r) =>
            r.ok
              ? ok(
                  `振替済 ${r.value.paid}件 ${formatYen(r.value.paidYen)}、振替不能 ${r.value.failed}件 ${formatYen(r.value.failedYen)}、取込済みのため変更なし ${r.value.alreadyRecorded}件`,
                )
              : r,
          )
        : importStatement(trx, { ...context, bytes }).then((r) =>
            r.ok
              ? ok(
                  `入金 ${r.value.credits}件: 照合して入金を記録 ${r.value.matched}件 ${formatYen(r.value.matchedYen)}、照合待ち ${r.value.pending}件、取込済みのため変更なし ${r.value.alreadyRecorded}件`,
                )
              : r,
          ),
    (r) => (r.ok ? { summary: `${file.name} は取り込み済みです（${r.value}）` } : null),
  );
  if (run.kind !== "done") return onceResponse(UPLOAD_FORMS[kind], run);
  const result = run.value;
  if (!result.ok)
    return failureResponse(
      invalidField("file", `${file.name}: ${failureMessage(result)}（何も記録していません）`),
      { kind, summary: null },
    );
  return data({ kind, errors: {}, summary: result.value });
}

export default function CollectionsUpload() {
  const answer = useActionData<typeof action>();
  const result = answer && "kind" in answer ? answer : undefined;
  const error = result ? failureMessage(invalid(result.errors)) : null;
  return (
    <>
      <h1>{result?.kind === "result" ? "振替結果の取り込み" : "入金明細の取り込み"}</h1>
      <OnceNotice form={UPLOAD_FORMS.result} />
      <OnceNotice form={UPLOAD_FORMS.statement} />
      {result && Object.keys(result.errors).length > 0 ? (
        <div className="alert error" role="alert">
          {error}
        </div>
      ) : null}
      {result?.summary ? (
        <div className="alert success" role="status">
          {result.summary}
        </div>
      ) : null}
      {!answer ? (
        <p className="muted">
          ファイルは請求締め（振替結果）と入金の照合（入金明細）の画面から取り込みます。
        </p>
      ) : null}
      <p>
        <Link to="/bank-credits">入金の照合へ →</Link>　
        <Link to="/billing#direct-debit">請求締め（口座振替）へ →</Link>
      </p>
    </>
  );
}

export const meta: MetaFunction = () => [
  { title: "ファイルの取り込み | セキュアライン 管理コンソール" },
];
