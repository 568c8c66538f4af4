// Reading a customer's main ISP services (L-4) as each tenant may see them; recording them and
// the automatic end are main-services.server.ts.
import type { Database } from "../../db/schema";
import type { Kysely, Transaction } from "kysely";
import type { IspMainServiceKind, IspMainServiceStatus } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { type IsoDate } from "../lib/jst";

type Db = Kysely<Database> | Transaction<Database>;

export interface MainServiceView {
  id: number;
  customerId: number;
  customerRef: string;
  customerName: string;
  serviceRef: string;
  kind: IspMainServiceKind;
  name: string | null;
  status: IspMainServiceStatus;
  lastDay: IsoDate | null;
  recordedAt: string;
  recordedBy: string | null;
}

function mainServiceQuery(db: Db) {
  return db
    .selectFrom("isp_main_services")
    .innerJoin("customers", "customers.id", "isp_main_services.customer_id")
    .select([
      "isp_main_services.id",
      "isp_main_services.customer_id",
      "customers.ref as customer_ref",
      "customers.name as customer_name",
      "isp_main_services.service_ref",
      "isp_main_services.kind",
      "isp_main_services.name",
      "isp_main_services.status",
      "isp_main_services.last_day",
      "isp_main_services.recorded_at",
      "isp_main_services.recorded_by",
    ])
    .orderBy("customers.ref")
    .orderBy("isp_main_services.service_ref");
}

function toMainServiceView(
  r: Awaited<ReturnType<ReturnType<typeof mainServiceQuery>["execute"]>>[number],
): MainServiceView {
  return {
    id: r.id,
    customerId: r.customer_id,
    customerRef: r.customer_ref,
    customerName: r.customer_name,
    serviceRef: r.service_ref,
    kind: r.kind,
    name: r.name,
    status: r.status,
    lastDay: r.last_day,
    recordedAt: r.recorded_at,
    recordedBy: r.recorded_by,
  };
}

/** The main ISP services of the customers in the tenant (optionally one of them), by customer and number. */
export async function listMainServices(
  db: Db,
  tenant: Tenant,
  scope: { customerId?: number } = {},
): Promise<MainServiceView[]> {
  let q = mainServiceQuery(db).where(customerInTenant(tenant));
  if (scope.customerId !== undefined)
    q = q.where("isp_main_services.customer_id", "=", scope.customerId);
  return (await q.execute()).map(toMainServiceView);
}

/** The main services of one customer the caller has already read within its tenant. */
export async function mainServicesOfCustomer(
  db: Db,
  customerId: number,
): Promise<MainServiceView[]> {
  return (
    await mainServiceQuery(db).where("isp_main_services.customer_id", "=", customerId).execute()
  ).map(toMainServiceView);
}
