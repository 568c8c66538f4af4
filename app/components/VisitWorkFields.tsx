// The work items of a visit (S5 menu, S6 data migration, diagnosis, backup, line application):
// the same fields on the booking form and on the operator's record of what was done.
import { VISIT_MENU, type VisitMenuPrice } from "~/contracts/visit-menu";
import { formatYen } from "~/lib/format";

export function VisitWorkFields({
  legend,
  v,
  error,
  prices,
}: {
  legend: string;
  v: (name: string, fallback?: string) => string;
  /** The wrong field and its message, shown under that field. */
  error?: { field: string; message: string } | null;
  /** Each item's price from the tariff, shown beside it on the booking form (issue 17 item 9). */
  prices?: readonly VisitMenuPrice[];
}) {
  const errorOf = (name: string) =>
    error?.field === name ? <span className="field-error">{error.message}</span> : null;
  const priceOf = (code: string) => {
    const p = prices?.find((x) => x.code === code);
    return p ? (
      <span className="muted" data-price={code}>
        {" "}
        1{p.unit} {formatYen(p.priceYen)}（税込 {formatYen(p.priceWithTaxYen)}）
      </span>
    ) : null;
  };
  return (
    <fieldset>
      <legend>{legend}</legend>
      <label className="check">
        <input
          type="checkbox"
          name="visit.diagnosis"
          defaultChecked={v("visit.diagnosis") === "on"}
        />{" "}
        状況診断{priceOf("visit.diagnosis")}
      </label>
      {VISIT_MENU.map((item) => (
        <label key={item.code} className="plain">
          {item.label}（{item.unit}）{priceOf(item.code)}
          <input
            type="number"
            name={item.code}
            min={0}
            max={100}
            defaultValue={v(item.code, "0")}
            className="narrow-number"
            aria-invalid={error?.field === item.code || undefined}
          />
          {errorOf(item.code)}
        </label>
      ))}
      <label className="plain">
        うち、OSリカバリしたPCへのエンドポイント再インストール（台）
        <input
          type="number"
          name="endpointReinstall"
          min={0}
          max={100}
          defaultValue={v("endpointReinstall", "0")}
          className="narrow-number"
          aria-invalid={error?.field === "endpointReinstall" || undefined}
        />
        {errorOf("endpointReinstall")}
      </label>
      <label className="plain">
        データ移行（台）
        <input
          type="number"
          name="migrationPcs"
          min={0}
          max={100}
          defaultValue={v("migrationPcs", "0")}
          className="narrow-number"
          aria-invalid={error?.field === "migrationPcs" || undefined}
        />
        {errorOf("migrationPcs")}
      </label>
      <label className="plain">
        データ移行の容量（GB。全台同じなら1つ、違うときは1台ずつ「30, 120」のように）
        <input
          type="text"
          inputMode="decimal"
          name="migrationGb"
          defaultValue={v("migrationGb", "0")}
          className="mid-number"
          aria-invalid={error?.field === "migrationGb" || undefined}
        />
        {errorOf("migrationGb")}
      </label>
      <label className="check">
        <input
          type="checkbox"
          name="backupAvailable"
          defaultChecked={v("backupAvailable") === "on"}
        />{" "}
        バックアップデータあり
      </label>
      <label className="check">
        <input
          type="checkbox"
          name="withLineApplication"
          defaultChecked={v("withLineApplication") === "on"}
        />{" "}
        回線の申込み・プラン変更と同時のご依頼（状況診断料は無料）
      </label>
    </fieldset>
  );
}
