import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import {
  inviteAccountOfCustomer,
  listCustomerAccounts,
  resendAccountLink,
  setAccountStopped,
} from "~/auth/invitations.server";
import {
  accountsWithSecondFactor,
  resetSecondFactor,
  SECOND_FACTOR_RESET_ROLES,
} from "~/auth/second-factor.server";
import { clientIp, requireViewer } from "~/auth/session.server";
import { ACCOUNT_ISSUER_ROLES, CUSTOMER_VIEW_ROLES } from "~/auth/tenancy";
import { Field } from "~/components/Field";
import { ActionsHeader, TableScroll } from "~/components/TableScroll";
import { CONTRACT_SORT, pageContracts } from "~/contracts/contracts.server";
import { INVOICE_SORT, pageInvoices } from "~/billing/invoices.server";
import { InvoiceStateBadge } from "~/components/InvoiceStateBadge";
import { PagedTable, SortHeader } from "~/components/Pager";
import { jstDate } from "~/lib/jst";
import { pageRequest } from "~/lib/paging";
import { checkPeppolId } from "~/billing/peppol-id";
import { failureMessage } from "~/lib/result";
import { getCustomer, setCustomerPeppolId } from "~/customers/customers.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { emailField, nameField } from "~/lib/fields";
import { formValues, parseForm, type FieldErrors } from "~/lib/form";
import { failureFields, failureStatus } from "~/lib/result";
import { OnceForm } from "~/components/OnceForm";
import { formClaim, issueFormTokens, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { consoleUrl, idParam, notFound } from "~/lib/http.server";
import { ACCOUNT_STATE_LABELS, AREA_LABELS, CONTRACT_STATUS_LABELS } from "~/lib/labels";
import { getProviderSettings } from "~/settings/provider.server";
import {
  ACCOUNT_FIELDS,
  checkDebitAccount,
  type AccountField,
} from "~/collections/account-check.server";
import { getDirectDebit, saveDirectDebit } from "~/collections/accounts.server";
import { findBranch } from "~/collections/bank-codes.server";
import { ACCOUNT_TYPE_LABELS, toZenginKana, zenginKanaProblem } from "~/collections/zengin";
import { formatCount, formatDate, formatInstant, formatMonth, formatYen } from "~/lib/format";

// The page's forms, one schema (issue 16 item 1): an intent none of them sends is a 400. The direct
// debit's account fields are checked by checkDebitAccount (saveDebit).
const CustomerForm = z.discriminatedUnion("intent", [
  z.looseObject({ intent: z.literal("debit") }),
  z.object({ intent: z.literal("peppol"), peppolId: z.string().default("") }),
  z.object({
    intent: z.literal(["stop", "start", "mfa-reset", "resend"]),
    userId: z.string().default(""),
    email: z.string().default(""),
  }),
  z.object({
    intent: z.literal("invite"),
    displayName: nameField("氏名", 100),
    email: emailField(),
  }),
]);
type Fields = "displayName" | "email" | "_form";

/** The one-time token of an account row's buttons (issue 17 item 1): one per account. */
const accountForm = (userId: string) => `account-${userId}`;
type DebitFields = AccountField | "kanaName";

/**
 * The customer page's two lists page apart (issue 17 item 2, decision 0044): contractsPage and
 * invoicesPage (with their own sort) in the address, a short page each so the forms below stay in reach.
 */
const CONTRACTS_PAGE_SIZE = 20;
const INVOICES_PAGE_SIZE = 24;

/** Who registers a customer for direct debit: the provider's staff, a reseller for its customers (issue 20). */
const DEBIT_ROLES = CUSTOMER_VIEW_ROLES;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: CUSTOMER_VIEW_ROLES });
  const db = getDb();
  const customer = await getCustomer(db, { id: idParam(params.customerId), tenant: viewer.tenant });
  if (!customer) throw notFound();
  const search = new URL(request.url).searchParams;
  const [contracts, invoices, accounts] = await Promise.all([
    pageContracts(
      db,
      viewer.tenant,
      { customerId: customer.id },
      pageRequest(search, CONTRACT_SORT, { prefix: "contracts", size: CONTRACTS_PAGE_SIZE }),
    ),
    // The sums are of all the customer's invoices in SQL, not of the page shown.
    pageInvoices(
      db,
      viewer.tenant,
      { customerId: customer.id },
      jstDate(now()),
      pageRequest(search, INVOICE_SORT, { prefix: "invoices", size: INVOICES_PAGE_SIZE }),
      { unpaid: true },
    ),
    listCustomerAccounts(db, { tenant: viewer.tenant, customerId: customer.id, at: now() }),
  ]);
  const withSecondFactor = await accountsWithSecondFactor(
    db,
    (accounts ?? []).map((a) => a.id),
  );
  const debit = await getDirectDebit(db, { customerId: customer.id, tenant: viewer.tenant });
  const account = debit?.account ?? null;
  const branch = account ? findBranch(account.bankCode, account.branchCode) : null;
  const formTokens = ACCOUNT_ISSUER_ROLES.includes(viewer.role)
    ? await issueFormTokens(db, {
        userId: viewer.id,
        forms: ["account-invite", ...(accounts ?? []).map((a) => accountForm(a.id))],
      })
    : null;
  return {
    formTokens,
    customer,
    contracts: contracts.contracts,
    contractsPage: contracts.page,
    invoices: invoices.invoices,
    invoicesPage: invoices.page,
    invoiceTotals: invoices.totals,
    debit: { kanaName: debit?.kanaName ?? null, account, bank: branch?.ok ? branch.value : null },
    accounts: (accounts ?? []).map((a) => ({ ...a, secondFactor: withSecondFactor.has(a.id) })),
    canIssue: ACCOUNT_ISSUER_ROLES.includes(viewer.role),
    canResetSecondFactor: SECOND_FACTOR_RESET_ROLES.includes(viewer.role),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: DEBIT_ROLES });
  const customerId = idParam(params.customerId);
  const db = getDb();
  const formData = await request.formData();
  const form = formValues(formData);
  const parsed = parseForm(CustomerForm, formData);
  if (!parsed.ok)
    return data(
      { fieldErrors: parsed.fields as FieldErrors<Fields>, values: form },
      { status: 400 },
    );
  const input = parsed.value;
  // Another tenant's customer is a 404 before any form's token is looked at.
  if (!(await getCustomer(db, { id: customerId, tenant: viewer.tenant }))) throw notFound();
  if (input.intent === "debit") return saveDebit(request, viewer, customerId, form);
  if (!ACCOUNT_ISSUER_ROLES.includes(viewer.role))
    throw new Response("この操作の権限がありません", { status: 403 });
  const context = {
    tenant: viewer.tenant,
    customerId,
    at: now(),
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
    providerName: (await getProviderSettings(db)).name,
    consoleUrl: consoleUrl(),
  };
  const page = `/customers/${customerId}`;
  if (input.intent === "peppol") {
    const check = checkPeppolId(input.peppolId);
    if (!check.ok)
      return data(
        { peppolError: failureMessage(check), peppolValue: input.peppolId },
        { status: 400 },
      );
    const done = await setCustomerPeppolId(db, {
      id: customerId,
      tenant: viewer.tenant,
      peppolId: check.value,
      actor: context.actor,
      ip: context.ip,
    });
    if (!done) throw notFound();
    return redirect(`${page}?peppolSaved=1`);
  }
  if (input.intent === "invite") {
    // The account and its mail with the form's token, once (issue 17 item 1).
    const run = await runFormOnce(
      db,
      formClaim(viewer, "account-invite", formData, request),
      (trx) => inviteAccountOfCustomer(trx, { ...context, ...input }),
      (r) =>
        r.ok
          ? { summary: `${input.email.toLowerCase()} のアカウントは作成済みです`, redirect: page }
          : null,
    );
    if (run.kind !== "done") return onceResponse("account-invite", run);
    const result = run.value;
    if (!result.ok) {
      if (result.kind === "not_found") throw notFound();
      return data(
        { fieldErrors: failureFields(result) as FieldErrors<Fields>, values: form },
        { status: failureStatus(result) },
      );
    }
    return redirect(`${page}?invited=${encodeURIComponent(input.email.toLowerCase())}#accounts`);
  }
  // An account row's buttons: stop, start, a new link, a second-factor reset — each once per token.
  const { userId, email } = input;
  // Only an account of this customer, in the viewer's tenant: anything else is a 404, token or not.
  const account = (
    await listCustomerAccounts(db, { tenant: viewer.tenant, customerId, at: context.at })
  )?.find((a) => a.id === userId);
  if (!account) throw notFound();
  const rowForm = accountForm(userId);
  const intent = input.intent;
  const run = await runFormOnce(
    db,
    formClaim(viewer, rowForm, formData, request),
    async (trx): Promise<string | null> => {
      if (intent === "stop" || intent === "start") {
        const done = await setAccountStopped(trx, { ...context, userId, stop: intent === "stop" });
        return done
          ? `${intent === "stop" ? "stopped" : "started"}=${encodeURIComponent(email)}`
          : null;
      }
      if (intent === "resend") {
        const sent = await resendAccountLink(trx, { ...context, userId });
        return sent ? `sent=${encodeURIComponent(email)}` : null;
      }
      const reset = await resetSecondFactor(trx, {
        tenant: viewer.tenant,
        role: viewer.role,
        userId: account.id,
        actor: context.actor,
        ip: context.ip,
        at: context.at,
      });
      return reset ? `mfaReset=${encodeURIComponent(reset.email)}` : null;
    },
    (flag) => (flag ? { summary: ONCE_SUMMARY[intent], redirect: page } : null),
  );
  if (run.kind !== "done") return onceResponse(rowForm, run);
  if (!run.value) throw notFound();
  return redirect(`${page}?${run.value}#accounts`);
}

const ONCE_SUMMARY = {
  stop: "アカウントは停止済みです",
  start: "アカウントは再開済みです",
  resend: "リンクは送信済みです",
  "mfa-reset": "二要素認証はリセット済みです",
} as const;

/** 口座振替 and the kana name; all account fields left empty removes the registration. */
async function saveDebit(
  request: Request,
  viewer: Awaited<ReturnType<typeof requireViewer>>,
  customerId: number,
  form: Record<string, string>,
) {
  const errors: Partial<Record<DebitFields, string>> = {};
  const kanaInput = (form.kanaName ?? "").trim();
  const kanaProblem = kanaInput === "" ? null : zenginKanaProblem("カナ名", kanaInput, 40);
  if (kanaProblem) errors.kanaName = kanaProblem;
  const empty = ACCOUNT_FIELDS.every(
    (k) => (form[k] ?? "").trim() === "" || (k === "accountType" && !(form.bankCode ?? "").trim()),
  );
  const checked = empty ? null : checkDebitAccount(form);
  if (checked && !checked.ok) Object.assign(errors, failureFields(checked));
  if (Object.keys(errors).length > 0)
    return data({ debitErrors: errors, values: form, fieldErrors: null }, { status: 400 });
  const saved = await saveDirectDebit(getDb(), {
    customerId,
    tenant: viewer.tenant,
    kanaName: kanaInput === "" ? null : toZenginKana(kanaInput),
    account: checked?.ok ? checked.value : null,
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
    at: now(),
  });
  if (!saved) throw notFound();
  return redirect(`/customers/${customerId}?debitSaved=1#direct-debit`);
}

export default function CustomerDetail() {
  const {
    customer,
    contracts,
    contractsPage,
    invoices,
    invoicesPage,
    invoiceTotals,
    accounts,
    canIssue,
    canResetSecondFactor,
    debit,
    formTokens,
  } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const peppolError = result && "peppolError" in result ? result.peppolError : undefined;
  const peppolValue = result && "peppolValue" in result ? result.peppolValue : undefined;
  const invite = result && "fieldErrors" in result ? result : undefined;
  const errors: Partial<Record<Fields, string>> = invite?.fieldErrors ?? {};
  const debitErrors: Partial<Record<DebitFields, string>> =
    (result && "debitErrors" in result ? result.debitErrors : null) ?? {};
  const debitValue = (k: DebitFields, stored: string | null | undefined) =>
    (result && "debitErrors" in result ? result.values[k] : undefined) ?? stored ?? "";
  const [params] = useSearchParams();
  const done = params.get("invited")
    ? `${params.get("invited")} のアカウントを作成し、パスワード設定用のリンクをメールで送りました。`
    : params.get("sent")
      ? `${params.get("sent")} にパスワード設定用のリンクを送り直しました。以前のリンクは使えなくなりました。`
      : params.get("stopped")
        ? `${params.get("stopped")} のアカウントを停止しました。ログイン中の画面も終了しました。`
        : params.get("started")
          ? `${params.get("started")} のアカウントを再開しました。`
          : params.get("mfaReset")
            ? `${params.get("mfaReset")} の二要素認証をリセットしました。本人にメールでお知らせしました。`
            : null;
  return (
    <>
      <p>
        <Link to="/customers">← 顧客の一覧</Link>
      </p>
      <h1>{customer.name}</h1>
      <dl className="facts">
        <dt>顧客番号</dt>
        <dd>{customer.ref}</dd>
        <dt>販売店</dt>
        <dd>{customer.reseller_name ?? "直販"}</dd>
        <dt>メール</dt>
        <dd>{customer.email}</dd>
        <dt>電話</dt>
        <dd>{customer.phone}</dd>
        <dt>所在地</dt>
        <dd>{customer.address}</dd>
        <dt>Peppol ID</dt>
        <dd data-testid="peppol-id">{customer.peppol_id ?? "未登録"}</dd>
      </dl>
      {canIssue ? (
        <Form method="post" className="filters" aria-label="Peppol IDの設定">
          <input type="hidden" name="intent" value="peppol" />
          <label>
            Peppol
            ID（電子インボイスの宛先。「0188:法人番号13桁」または「0221:T＋登録番号13桁」、空欄で解除）
            <input
              type="text"
              name="peppolId"
              size={24}
              defaultValue={peppolValue ?? customer.peppol_id ?? ""}
              aria-invalid={peppolError ? true : undefined}
            />
          </label>
          <button type="submit" className="secondary">
            保存
          </button>
          {peppolError ? (
            <span className="field-error" role="alert">
              {peppolError}
            </span>
          ) : null}
        </Form>
      ) : null}
      <h2 id="contracts">契約</h2>
      {contracts.length === 0 ? (
        <div className="empty">この顧客の契約はまだありません。</div>
      ) : (
        <PagedTable page={contractsPage} label="契約のページ">
          <thead>
            <tr>
              <SortHeader info={contractsPage} column="ref">
                契約番号
              </SortHeader>
              <th scope="col">回線ID</th>
              <th scope="col">エリア</th>
              <SortHeader info={contractsPage} column="start" first="desc">
                利用開始日
              </SortHeader>
              <th scope="col">状態</th>
            </tr>
          </thead>
          <tbody data-testid="customer-contracts">
            {contracts.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/contracts/${c.id}`}>{c.ref}</Link>
                </td>
                <td>{c.line_id}</td>
                <td>{AREA_LABELS[c.area]}</td>
                <td>{formatDate(c.service_start)}</td>
                <td>
                  <span className={`badge ${c.status}`}>{CONTRACT_STATUS_LABELS[c.status]}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </PagedTable>
      )}
      <h2 id="invoices">請求書</h2>
      {invoices.length === 0 ? (
        <div className="empty">この顧客の請求書はまだありません。</div>
      ) : (
        <>
          <p className="muted" data-testid="customer-invoice-totals">
            {formatCount(invoiceTotals.count)}件　請求額の合計 {formatYen(invoiceTotals.totalYen)}
            {"　"}未払い {formatYen(invoiceTotals.unpaidYen ?? 0)}
          </p>
          <PagedTable page={invoicesPage} label="請求書のページ">
            <thead>
              <tr>
                <SortHeader info={invoicesPage} column="number" first="desc">
                  請求書番号
                </SortHeader>
                <SortHeader info={invoicesPage} column="month" first="desc">
                  請求月
                </SortHeader>
                <th scope="col">契約</th>
                <SortHeader info={invoicesPage} column="due" first="desc">
                  支払期日
                </SortHeader>
                <SortHeader info={invoicesPage} column="total" first="desc" className="num">
                  請求額
                </SortHeader>
                <th scope="col">状態</th>
              </tr>
            </thead>
            <tbody data-testid="customer-invoices">
              {invoices.map((i) => (
                <tr key={i.id}>
                  <td>
                    <Link to={`/invoices/${i.id}`}>{i.invoice_number}</Link>
                  </td>
                  <td>{formatMonth(i.billing_month)}分</td>
                  <td>{i.contract_ref}</td>
                  <td>{formatDate(i.due_date)}</td>
                  <td className="num">{formatYen(i.total_yen)}</td>
                  <td>
                    <InvoiceStateBadge state={i.state} overdue={i.overdue} />
                  </td>
                </tr>
              ))}
            </tbody>
          </PagedTable>
        </>
      )}
      <h2 id="direct-debit">お支払い方法（口座振替）</h2>
      {params.get("debitSaved") && !result ? (
        <div className="alert success" role="status">
          お支払い方法を保存しました。
        </div>
      ) : null}
      {debit.account ? (
        <dl className="facts" data-testid="direct-debit">
          <dt>引落口座</dt>
          <dd>
            {debit.bank
              ? `${debit.bank.bankName}（${debit.account.bankCode}） ${debit.bank.branchName}支店（${debit.account.branchCode}）`
              : `${debit.account.bankCode}-${debit.account.branchCode}`}{" "}
            {ACCOUNT_TYPE_LABELS[debit.account.accountType]} {debit.account.accountNumber}
          </dd>
          <dt>口座名義</dt>
          <dd>{debit.account.holderKana}</dd>
        </dl>
      ) : (
        <p className="muted">口座振替は登録されていません（お振込みでのお支払い）。</p>
      )}
      {Object.keys(debitErrors).length > 0 ? (
        <div className="alert error" role="alert">
          入力内容に誤りがあります。赤字の項目を確認してください。
        </div>
      ) : null}
      <Form
        method="post"
        className="stack"
        noValidate
        key={["debit", debit.kanaName, ...Object.values(debit.account ?? {})].join("|")}
      >
        <Field
          label="カナ名（振込名義の照合に使います）"
          name="kanaName"
          defaultValue={debitValue("kanaName", debit.kanaName)}
          error={debitErrors.kanaName}
          hint="例：ﾃｽﾄｼﾖｳｼﾞ（全角カナでも入力できます。株式会社などは省いてかまいません）"
        />
        <Field
          label="銀行コード"
          name="bankCode"
          defaultValue={debitValue("bankCode", debit.account?.bankCode)}
          error={debitErrors.bankCode}
          hint="数字4桁（口座振替をやめるときは口座の欄をすべて空にして保存）"
        />
        <Field
          label="支店コード"
          name="branchCode"
          defaultValue={debitValue("branchCode", debit.account?.branchCode)}
          error={debitErrors.branchCode}
          hint="数字3桁"
        />
        <label>
          預金種目
          <select
            name="accountType"
            defaultValue={debitValue(
              "accountType",
              debit.account ? ACCOUNT_TYPE_LABELS[debit.account.accountType] : "普通",
            )}
            aria-invalid={debitErrors.accountType ? true : undefined}
          >
            <option value="普通">普通</option>
            <option value="当座">当座</option>
          </select>
          {debitErrors.accountType ? (
            <span className="field-error">{debitErrors.accountType}</span>
          ) : null}
        </label>
        <Field
          label="口座番号"
          name="accountNumber"
          defaultValue={debitValue("accountNumber", debit.account?.accountNumber)}
          error={debitErrors.accountNumber}
          hint="数字7桁以内"
        />
        <Field
          label="口座名義（カナ）"
          name="holderKana"
          defaultValue={debitValue("holderKana", debit.account?.holderKana)}
          error={debitErrors.holderKana}
          hint="通帳の名義どおりに。半角30文字以内（全角カナは半角に直して保存します）"
        />
        <button type="submit" name="intent" value="debit">
          お支払い方法を保存する
        </button>
      </Form>
      <h2 id="accounts">管理者アカウント</h2>
      <p className="muted">
        お客さまが管理コンソールにログインするためのアカウントです。作成するとパスワード設定用のリンク（7日間有効・1回限り）がメールで届きます。
      </p>
      {done ? (
        <div className="alert success" role="status">
          {done}
        </div>
      ) : null}
      {accounts.length === 0 ? (
        <div className="empty">この顧客の管理者アカウントはまだありません。</div>
      ) : (
        <TableScroll>
          <table className="data" data-testid="accounts">
            <thead>
              <tr>
                <th scope="col">氏名</th>
                <th scope="col">メールアドレス</th>
                <th scope="col">状態</th>
                <th scope="col">二要素認証</th>
                {canIssue ? <ActionsHeader /> : null}
              </tr>
            </thead>
            <tbody>
              {accounts.map((a) => (
                <tr key={a.id}>
                  <td>{a.displayName}</td>
                  <td>{a.email}</td>
                  <td>
                    {ACCOUNT_STATE_LABELS[a.state]}
                    {a.state === "invited" && a.linkExpiresAt
                      ? `（${formatInstant(a.linkExpiresAt)}まで）`
                      : ""}
                  </td>
                  <td>{a.secondFactor ? "設定済み" : "未設定"}</td>
                  {canIssue ? (
                    <td>
                      <OnceForm
                        method="post"
                        className="actions"
                        token={formTokens?.[accountForm(a.id)] ?? ""}
                        form={accountForm(a.id)}
                      >
                        <input type="hidden" name="userId" value={a.id} />
                        <input type="hidden" name="email" value={a.email} />
                        {a.state === "disabled" ? (
                          <button type="submit" name="intent" value="start" className="secondary">
                            再開する
                          </button>
                        ) : (
                          <>
                            <button
                              type="submit"
                              name="intent"
                              value="resend"
                              className="secondary"
                            >
                              {a.state === "active"
                                ? "パスワード再設定のリンクを送る"
                                : "設定用リンクを送り直す"}
                            </button>
                            <button type="submit" name="intent" value="stop" className="secondary">
                              停止する
                            </button>
                            {canResetSecondFactor && a.secondFactor ? (
                              <button
                                type="submit"
                                name="intent"
                                value="mfa-reset"
                                className="secondary"
                              >
                                二要素認証をリセット
                              </button>
                            ) : null}
                          </>
                        )}
                      </OnceForm>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {canIssue ? (
        // A new token after each success: with JavaScript the form is emptied after it succeeds.
        <OnceForm
          method="post"
          className="stack"
          noValidate
          token={formTokens?.["account-invite"] ?? ""}
          form="account-invite"
        >
          <h3>アカウントを追加する</h3>
          <Field
            label="氏名"
            name="displayName"
            defaultValue={invite?.values.displayName}
            error={errors.displayName}
            autoComplete="off"
          />
          <Field
            label="メールアドレス"
            name="email"
            type="email"
            defaultValue={invite?.values.email}
            error={errors.email}
            autoComplete="off"
          />
          <button type="submit" name="intent" value="invite">
            作成してリンクを送る
          </button>
        </OnceForm>
      ) : null}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.customer.name ?? "顧客"} | セキュアライン 管理コンソール` },
];
