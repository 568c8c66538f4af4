import type { LoaderFunctionArgs, SerializeFrom } from "@remix-run/node";
import {
  Form,
  NavLink,
  Outlet,
  useLoaderData,
  useLocation,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { mustEnrolSecondFactor } from "~/auth/second-factor.server";
import { requireViewer, SECOND_FACTOR_SETUP_PATH } from "~/auth/session.server";
import { ROLE_LABELS } from "~/auth/tenancy";
import { tenantName as tenantNameOf } from "~/auth/tenant-scope.server";
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
  const tenantName = await tenantNameOf(db, viewer.tenant);
  return {
    viewer: {
      displayName: viewer.displayName,
      email: viewer.email,
      roleLabel: ROLE_LABELS[viewer.role],
    },
    tenantName,
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
  const { pathname } = useLocation();
  return (
    <div className="shell">
      <a className="skip-link" href="#content">
        本文へスキップ
      </a>
      <aside className="sidebar">
        <div className="brand">セキュアライン</div>
        {/* On a phone the menu folds behind this button; a checkbox opens it without JavaScript.
            Keyed by the path so that it closes again after a client-side navigation. */}
        <input
          key={pathname}
          type="checkbox"
          id="menu-toggle"
          className="menu-toggle"
          aria-controls="main-menu"
        />
        <label htmlFor="menu-toggle" className="menu-button">
          メニュー
        </label>
        <nav id="main-menu" aria-label="メインメニュー">
          {nav.map((item) => (
            <NavLink key={item.to} to={item.to} prefetch="intent">
              {item.label}
            </NavLink>
          ))}
        </nav>
      </aside>
      <div className="main">
        {header}
        <main id="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}

function TopBar({
  viewer,
  tenantName,
}: Pick<SerializeFrom<typeof loader>, "viewer" | "tenantName">) {
  return (
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
  );
}

export default function ConsoleLayout() {
  const { viewer, tenantName, nav } = useLoaderData<typeof loader>();
  return (
    <Shell nav={nav} header={<TopBar viewer={viewer} tenantName={tenantName} />}>
      <Outlet />
    </Shell>
  );
}

// A page that answers 403 or 404 keeps the console's menu and header (issue 17 item 13): the
// layout's own data is there whenever the error came from the page rather than from this loader.
export function ErrorBoundary() {
  const error = useRouteError();
  const data = useRouteLoaderData<typeof loader>("routes/_console");
  return (
    <Shell
      nav={data?.nav ?? [{ to: "/home", label: "ホーム" }]}
      header={data ? <TopBar viewer={data.viewer} tenantName={data.tenantName} /> : undefined}
    >
      <ErrorMessage error={error} />
    </Shell>
  );
}
