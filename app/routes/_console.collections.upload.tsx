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
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { formatYen } from "~/lib/format";

// Not a redirect: after the upload's POST the page is rendered with the action's result.
export async function loader({ request }: LoaderFunctionArgs) {
  await requireViewer(request, { roles: FINANCE_ROLES });
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: FINANCE_ROLES });
  const form = await request.formData();
  const kind = form.get("kind") === "result" ? "result" : "statement";
  const file = form.get("file");
  if (!(file instanceof File) || file.size === 0)
    return data({ kind, error: "ファイルを選んでください", summary: null }, { status: 400 });
  const context = {
    bytes: Buffer.from(await file.arrayBuffer()),
    at: now(),
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
  };
  if (kind === "result") {
    const result = await importDebitResult(getDb(), context);
    if (!result.ok)
      return data(
        { kind, error: `${file.name}: ${result.message}（何も記録していません）`, summary: null },
        { status: 400 },
      );
    const s = result.value;
    return {
      kind,
      error: null,
      summary: `振替済 ${s.paid}件 ${formatYen(s.paidYen)}、振替不能 ${s.failed}件 ${formatYen(s.failedYen)}、取込済みのため変更なし ${s.alreadyRecorded}件`,
    };
  }
  const result = await importStatement(getDb(), context);
  if (!result.ok)
    return data(
      { kind, error: `${file.name}: ${result.message}（何も記録していません）`, summary: null },
      { status: 400 },
    );
  const s = result.value;
  return {
    kind,
    error: null,
    summary: `入金 ${s.credits}件: 照合して入金を記録 ${s.matched}件 ${formatYen(s.matchedYen)}、照合待ち ${s.pending}件、取込済みのため変更なし ${s.alreadyRecorded}件`,
  };
}

export default function CollectionsUpload() {
  const result = useActionData<typeof action>();
  return (
    <>
      <h1>{result?.kind === "result" ? "振替結果の取り込み" : "入金明細の取り込み"}</h1>
      {result?.error ? (
        <div className="alert error" role="alert">
          {result.error}
        </div>
      ) : null}
      {result?.summary ? (
        <div className="alert success" role="status">
          {result.summary}
        </div>
      ) : null}
      {!result ? (
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
