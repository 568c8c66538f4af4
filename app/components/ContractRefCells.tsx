import { Link } from "@remix-run/react";

/** The first cells of a contract's row in a list: its number, linking to the contract, and its customer. */
export function ContractRefCells({
  contract,
}: {
  contract: { id: number; ref: string; customer_name: string };
}) {
  return (
    <>
      <td>
        <Link to={`/contracts/${contract.id}`}>{contract.ref}</Link>
      </td>
      <td>{contract.customer_name}</td>
    </>
  );
}
