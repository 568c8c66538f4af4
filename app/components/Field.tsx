// A labelled input with its field error, usable without JavaScript.
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
