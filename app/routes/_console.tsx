import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, NavLink, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { mustEnrolSecondFactor } from "~/auth/second-factor.server";
import { requireViewer, SECOND_FACTOR_SETUP_PATH } from "~/auth/session.server";
import { ROLE_LABELS } from "~/auth/tenancy";
import { navFor } from "~/components/nav";
import { getDb } from "~/db.server";
import { ErrorMessage } from "~/root";

export async function loader({ request }: LoaderFunctionArgs) {
  // The second-factor setup page is the one page an account that must set it up may open.
  const atSetup = new URL(request.url).pathname === SECOND_FACTOR_SETUP_PATH;
  const viewer = await requireViewer(request, { secondFactorSetup: atSetup });
  const db = getDb();
  const setupOnly = atSetup && (await mustEnrolSecondFactor(db, viewer));
  // The tenant's own name is shown beside the user's, so everyone knows whose data this is.
  const tenantName =
    viewer.tenant.kind === "reseller"
      ? (
          await db
            .selectFrom("resellers")
            .select("name")
            .where("id", "=", viewer.tenant.resellerId)
            .executeTakeFirst()
        )?.name
      : viewer.tenant.kind === "customer"
        ? (
            await db
              .selectFrom("customers")
              .select("name")
              .where("id", "=", viewer.tenant.customerId)
              .executeTakeFirst()
          )?.name
        : (await db.selectFrom("provider").select("name").executeTakeFirst())?.name;
  return {
    viewer: {
      displayName: viewer.displayName,
      email: viewer.email,
      roleLabel: ROLE_LABELS[viewer.role],
    },
    tenantName: tenantName ?? "",
    nav: setupOnly
      ? [{ to: SECOND_FACTOR_SETUP_PATH, label: "二要素認証の設定" }]
      : navFor(viewer.role),
  };
}

function Shell({
  children,
  nav,
  header,
}: {
  children: React.ReactNode;
  nav: { to: string; label: string }[];
  header?: React.ReactNode;
}) {
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">セキュアライン</div>
        <nav aria-label="メインメニュー">
          {nav.map((item) => (
            <NavLink key={item.to} to={item.to} prefetch="intent">
              {item.label}
            </NavLink>
          ))}
        </nav>
      </aside>
      <div className="main">
        {header}
        {children}
      </div>
    </div>
  );
}

export default function ConsoleLayout() {
  const { viewer, tenantName, nav } = useLoaderData<typeof loader>();
  return (
    <Shell
      nav={nav}
      header={
        <header className="topbar">
          <span data-testid="tenant-name">{tenantName}</span>
          <span>
            {viewer.displayName}（{viewer.roleLabel}）
          </span>
          <Form method="post" action="/logout">
            <button type="submit" className="secondary">
              ログアウト
            </button>
          </Form>
        </header>
      }
    >
      <Outlet />
    </Shell>
  );
}

export function ErrorBoundary() {
  return (
    <Shell nav={[{ to: "/home", label: "ホーム" }]}>
      <ErrorMessage error={useRouteError()} />
    </Shell>
  );
}
