// Generates a large, realistic book of contracts with a year of history straight into the
// database (raw prepared statements: this is set-up, not the code under test). Used by the
// billing benchmark and the kill-and-resume test. Deterministic for a given count and year.
import type SQLite from "better-sqlite3";
import {
  addDays,
  addMonths,
  firstDayOf,
  lastDayOf,
  monthRange,
  type YearMonth,
} from "../../app/lib/jst";
import { mulberry32 } from "../../db/demo/random";

export interface GeneratedBook {
  contracts: number;
  months: YearMonth[];
}

/** A small deterministic pseudo-random sequence (mulberry32). */
const random = mulberry32;

const MODELS = ["gateway.gw10", "gateway.gw50", "gateway.gw100"];
const WEST_VISIT_DAYS = ["08", "09", "10"]; // a Wednesday/Thursday/Friday in most months is not needed: checked below

/**
 * `count` contracts starting across the twelve months before `firstBilledMonth`, each with items,
 * and over the twelve billed months: seat changes, outages, visits, early terminations and a
 * payment for every month (some late). Returns the months to bill.
 */
export function generateContracts(
  sqlite: SQLite.Database,
  count: number,
  firstBilledMonth: YearMonth,
): GeneratedBook {
  const rand = random(count);
  const months = monthRange(firstBilledMonth, addMonths(firstBilledMonth, 11));
  const now = new Date().toISOString();
  const insertReseller = sqlite.prepare(
    "insert into resellers (ref, name, created_at) values (?, ?, ?)",
  );
  const insertCustomer = sqlite.prepare(
    "insert into customers (ref, reseller_id, name, email, phone, address, created_at) values (?, ?, ?, ?, ?, ?, ?)",
  );
  const insertContract = sqlite.prepare(
    `insert into contracts (ref, customer_id, line_id, area, base_plan, service_start, status, termination_date,
      offline_threshold_minutes, admin_email, admin_phone, created_at) values (?, ?, ?, ?, 'base.standard', ?, ?, ?, 60, ?, ?, ?)`,
  );
  const insertItem = sqlite.prepare(
    "insert into contract_items (contract_id, code, quantity, ownership, repair24h, from_date, to_date) values (?, ?, ?, ?, ?, ?, ?)",
  );
  const insertOutage = sqlite.prepare(
    "insert into outages (contract_id, services, known_at, restored_at, customer_fault) values (?, ?, ?, ?, 0)",
  );
  const insertVisit = sqlite.prepare(
    "insert into visits (contract_id, visit_date, start_time, with_line_application, backup_available) values (?, ?, '10:00', 0, 1)",
  );
  const insertVisitLine = sqlite.prepare(
    "insert into visit_lines (visit_id, code, quantity, endpoint_reinstall, pcs_gb) values (?, ?, ?, null, null)",
  );
  const insertTermination = sqlite.prepare(
    "insert into terminations (contract_id, requested_on, wished_date, confirmed_on, terminated_by) values (?, ?, ?, ?, 'customer')",
  );
  const insertPayment = sqlite.prepare(
    "insert into payments (contract_id, billing_month, paid_on, amount_yen, recorded_by, created_at) values (?, ?, ?, null, 'bench', ?)",
  );

  sqlite.transaction(() => {
    const resellers = [1, 2].map((n) =>
      Number(insertReseller.run(`BR${n}`, `ベンチ販売店${n}`, now).lastInsertRowid),
    );
    for (let i = 1; i <= count; i++) {
      const area = i % 2 === 0 ? "east" : "west";
      const customerId = Number(
        insertCustomer.run(
          `BC${i}`,
          resellers[i % 2],
          `ベンチ顧客${i}株式会社`,
          `it${i}@bench.example`,
          "03-0000-0000",
          "東京都千代田区1-1",
          now,
        ).lastInsertRowid,
      );
      const startMonth = addMonths(firstBilledMonth, -1 - Math.floor(rand() * 12));
      const start = addDays(firstDayOf(startMonth), Math.floor(rand() * 27));
      const terminated = rand() < 0.05;
      const terminationDate = terminated
        ? addDays(firstDayOf(months[2 + Math.floor(rand() * 9)]), Math.floor(rand() * 27))
        : null;
      const contractId = Number(
        insertContract.run(
          `BK${String(i).padStart(6, "0")}`,
          customerId,
          `${area === "east" ? "CAF" : "COP"}${String(i).padStart(8, "0")}`,
          area,
          start,
          terminated ? "terminated" : "active",
          terminationDate,
          `it${i}@bench.example`,
          "03-0000-0000",
          now,
        ).lastInsertRowid,
      );
      const model = MODELS[Math.floor(rand() * 3)];
      insertItem.run(
        contractId,
        model,
        1,
        rand() < 0.8 ? "rental" : "purchased",
        rand() < 0.8 ? 1 : 0,
        start,
        terminationDate,
      );
      const seats = 1 + Math.floor(rand() * 30);
      if (rand() < 0.2) {
        // A seat change during the year: the old line ends and a new one starts the same day.
        const change = addDays(
          firstDayOf(months[Math.floor(rand() * 12)]),
          Math.floor(rand() * 27),
        );
        const changeDate = terminationDate && change >= terminationDate ? terminationDate : change;
        insertItem.run(contractId, "endpoint", seats, "rental", 0, start, changeDate);
        insertItem.run(contractId, "endpoint", seats + 2, "rental", 0, changeDate, terminationDate);
      } else {
        insertItem.run(
          contractId,
          "endpoint",
          seats,
          rand() < 0.85 ? "rental" : "purchased",
          0,
          start,
          terminationDate,
        );
      }
      if (rand() < 0.05) {
        const m = months[Math.floor(rand() * 12)];
        insertOutage.run(
          contractId,
          "base,gateway",
          `${firstDayOf(m)}T09:00:00+09:00`,
          `${addDays(firstDayOf(m), 2)}T15:00:00+09:00`,
        );
      }
      if (rand() < 0.05) {
        const m = months[Math.floor(rand() * 12)];
        // The first weekday in [8, 14] that is a visit day in both areas: Monday to Friday.
        let date = `${m}-${WEST_VISIT_DAYS[0]}`;
        for (let d = 8; d <= 14; d++) {
          const candidate = `${m}-${String(d).padStart(2, "0")}`;
          const dow = new Date(`${candidate}T00:00:00Z`).getUTCDay();
          if (dow >= 1 && dow <= 5) {
            date = candidate;
            break;
          }
        }
        const visitId = Number(insertVisit.run(contractId, date).lastInsertRowid);
        insertVisitLine.run(visitId, "visit.base", 1);
        insertVisitLine.run(visitId, "visit.printer", 1);
      }
      if (terminationDate)
        insertTermination.run(
          contractId,
          addDays(terminationDate, -20),
          terminationDate,
          addDays(terminationDate, -10),
        );
      for (const m of months) {
        const due = lastDayOf(addMonths(m, 1));
        insertPayment.run(
          contractId,
          m,
          rand() < 0.05 ? addDays(due, 20 + Math.floor(rand() * 20)) : addDays(due, -3),
          now,
        );
      }
    }
  })();
  return { contracts: count, months };
}
