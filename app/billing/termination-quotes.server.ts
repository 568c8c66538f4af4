// The termination quote of one contract as the CLI `contracts -- quote-termination` prints it and
// the partner API answers it (issue 19): the contract's billable history as the billing run sees
// it, the tariffs, and quoteTermination (T-20, S4 ※1). The caller has already found the contract.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import type { IsoDate } from "../lib/jst";
import { loadBillableContracts, loadTariffs } from "./history.server";
import { quoteTermination, type TerminationQuote } from "./termination-quote";

export async function quoteContractTermination(
  db: Kysely<Database>,
  contract: { id: number; serviceStart: IsoDate },
  wished: IsoDate,
  confirmedOn: IsoDate,
): Promise<TerminationQuote> {
  const [billable] = await loadBillableContracts(db, contract.serviceStart, {
    contractIds: [contract.id],
  });
  return quoteTermination(billable.history, await loadTariffs(db), wished, confirmedOn);
}
