// The one-time tokens' form names of the bank-file uploads (issue 17 item 1): the billing page and
// the bank-credits page show the forms and issue the tokens; /collections/upload uses them.
export const UPLOAD_FORMS = {
  result: "debit-result-upload",
  statement: "statement-upload",
} as const;
