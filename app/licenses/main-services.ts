// L-4 The customer's main ISP services (internet, TV, phone…) as operators record them, and the
// checks every recording passes — the same for the form and the `licenses main-service`
// command, so both refuse the same input with the same Japanese messages. Pure.
import { isIsoDate, type IsoDate } from "../lib/jst";
import { invalid, ok, type Result } from "../lib/result";
import type { MainServiceContract } from "./isp-bundle";

export type MainServiceKind = "internet" | "tv" | "phone" | "other";
export type MainServiceStatus = MainServiceContract["status"];

export const MAIN_SERVICE_KINDS: readonly MainServiceKind[] = ["internet", "tv", "phone", "other"];
export const MAIN_SERVICE_STATUSES: readonly MainServiceStatus[] = ["active", "suspended", "ended"];

/** What a recording says about one service, as typed (form fields or command options). */
export interface MainServiceInput {
  serviceRef: string | undefined;
  /** Required for a service not on record yet; kept when omitted for a known one. */
  kind: string | undefined;
  name: string | undefined;
  status: string | undefined;
  lastDay: string | undefined;
}

export interface MainServiceRecord {
  serviceRef: string;
  kind: MainServiceKind | null;
  name: string | null;
  status: MainServiceStatus;
  lastDay: IsoDate | null;
}

export type MainServiceField = "serviceRef" | "kind" | "name" | "status" | "lastDay";

/** The checked record, or a validation failure with one Japanese message per field. */
export type MainServiceValidation = Result<MainServiceRecord, MainServiceField>;

const SERVICE_REF_RE = /^[A-Z0-9][A-Z0-9-]{0,39}$/;
const MAX_NAME_LENGTH = 60;

/** Service numbers as people type them: full-width folded (NFKC), upper case, spaces dropped. */
export function normalizeServiceRef(value: string): string {
  return value.normalize("NFKC").toUpperCase().replace(/\s/g, "");
}

/**
 * Checks one recording. `known` says whether the customer already has this service on record
 * (then the kind may be left out). Every problem is reported, one message per field.
 */
export function validateMainService(
  input: MainServiceInput,
  known: (serviceRef: string) => boolean = () => false,
): MainServiceValidation {
  const errors: Partial<Record<MainServiceField, string>> = {};
  const serviceRef = normalizeServiceRef(input.serviceRef ?? "");
  if (serviceRef === "") errors.serviceRef = "サービス番号（回線番号など）を入力してください";
  else if (!SERVICE_REF_RE.test(serviceRef))
    errors.serviceRef = "サービス番号は英数字とハイフンで40文字以内で入力してください";

  const kindText = (input.kind ?? "").trim();
  let kind: MainServiceKind | null = null;
  if (kindText !== "") {
    if ((MAIN_SERVICE_KINDS as readonly string[]).includes(kindText))
      kind = kindText as MainServiceKind;
    else errors.kind = "種類はインターネット・テレビ・電話・その他から選んでください";
  } else if (!errors.serviceRef && !known(serviceRef)) {
    errors.kind = "新しいサービスの種類を選んでください";
  }

  const nameText = (input.name ?? "").trim();
  if (nameText.length > MAX_NAME_LENGTH)
    errors.name = `サービス名は${MAX_NAME_LENGTH}文字以内で入力してください`;

  const statusText = (input.status ?? "").trim();
  const status = (MAIN_SERVICE_STATUSES as readonly string[]).includes(statusText)
    ? (statusText as MainServiceStatus)
    : null;
  if (status === null) errors.status = "状態（ご利用中・休止・解約）を選んでください";

  const lastDayText = (input.lastDay ?? "").trim();
  let lastDay: IsoDate | null = null;
  if (status === "active") {
    if (lastDayText !== "")
      errors.lastDay = "ご利用中のサービスには最終利用日を入力しないでください";
  } else if (lastDayText === "") {
    if (status !== null) errors.lastDay = "休止・解約の場合は最終利用日を入力してください";
  } else if (!isIsoDate(lastDayText)) {
    errors.lastDay = "最終利用日は 2026-11-30 の形式の日付で入力してください";
  } else {
    lastDay = lastDayText;
  }

  if (Object.keys(errors).length > 0 || status === null) return invalid(errors);
  return ok({ serviceRef, kind, name: nameText === "" ? null : nameText, status, lastDay });
}
