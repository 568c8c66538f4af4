// A labelled input with its field error, usable without JavaScript.
import type { FieldErrors } from "~/lib/form";
export function Field(props: {
  label: string;
  name: string;
  type?: string;
  defaultValue?: string;
  error?: string;
  autoComplete?: string;
  hint?: string;
}) {
  const errorId = `${props.name}-error`;
  return (
    <label>
      {props.label}
      <input
        type={props.type ?? "text"}
        name={props.name}
        defaultValue={props.defaultValue}
        autoComplete={props.autoComplete}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? errorId : undefined}
      />
      {props.hint ? <span className="muted hint-text">{props.hint}</span> : null}
      {props.error ? (
        <span className="field-error" id={errorId}>
          {props.error}
        </span>
      ) : null}
    </label>
  );
}

/** A field's error under it (the id its input's aria-describedby names), or nothing. */
export function FieldError({ name, errors }: { name: string; errors: FieldErrors }) {
  return errors[name] ? (
    <span className="field-error" id={`${name}-error`}>
      {errors[name]}
    </span>
  ) : null;
}

/**
 * After a refused submit: the error of the form as a whole (`_form`), or else the note that the
 * fields in error are marked.
 */
export function FormErrorAlerts({ errors, refused }: { errors: FieldErrors; refused: boolean }) {
  if (errors._form)
    return (
      <div className="alert error" role="alert">
        {errors._form}
      </div>
    );
  return refused ? (
    <div className="alert error" role="alert">
      入力内容に誤りがあります。赤字の項目を確認してください。
    </div>
  ) : null;
}
