/**
 * KNOWN ISSUES: the places where docs/openapi.yaml is known to lie today.
 *
 * Each entry sets aside one kind of contract error, on the operations and
 * fields it names, and nothing else: any other difference still fails the
 * flow. An entry that the flow no longer meets fails it too, so that the list
 * only shrinks. Remove an entry with the schema change that fixes it.
 */
import type { ErrorObject } from "ajv";

export interface KnownIssue {
  /** What the schema gets wrong, as the report prints it. */
  readonly description: string;
  matches(operation: string, error: ErrorObject, body: unknown): boolean;
}

function problemCode(body: unknown): unknown {
  return typeof body === "object" && body !== null ? (body as { code?: unknown }).code : undefined;
}

/** An extension member of one problem code that the Problem schema does not declare. */
function undeclaredProblemMember(code: string, member: string): KnownIssue {
  return {
    description:
      `Problem does not declare the member "${member}" that ${code} problems carry ` +
      "(documented in docs/api.md and docs/orders.md)",
    matches: (_operation, error, body) =>
      error.keyword === "additionalProperties" &&
      error.instancePath === "" &&
      error.params.additionalProperty === member &&
      problemCode(body) === code,
  };
}

export const KNOWN_ISSUES: readonly KnownIssue[] = [
  undeclaredProblemMember("insufficient_stock", "available"),
  undeclaredProblemMember("invalid_transition", "allowed"),
];
