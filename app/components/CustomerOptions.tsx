/** A customer select's options, each named as people find it: its name and its ref (C1…). */
export function CustomerOptions({
  customers,
}: {
  customers: readonly { id: number; name: string; ref: string }[];
}) {
  return (
    <>
      {customers.map((c) => (
        <option key={c.id} value={c.id}>
          {c.name}（{c.ref}）
        </option>
      ))}
    </>
  );
}
