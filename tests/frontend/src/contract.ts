/**
 * The contract: every response is what docs/openapi.yaml says it is.
 *
 * The generated types describe the schema, not the data a server sends, so each
 * response is also checked at run time against its operation's response for
 * that status and content type. The check is stricter than OpenAPI's defaults:
 *
 * - an object lists its properties exhaustively: unless the schema says
 *   otherwise (`additionalProperties`), a field the schema lacks is a failure;
 * - `nullable` is honoured as written: null where the schema allows it, and
 *   nowhere else;
 * - `required` properties must be present;
 * - a status or a content type that the operation does not document fails.
 *
 * Known lies of the schema (known-issues.ts) are tolerated one by one, each
 * for the exact operations and fields it names, and reported at the end.
 */
import { readFileSync } from "node:fs";

import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import formats from "ajv-formats";
import type { Middleware } from "openapi-fetch";
import { parse } from "yaml";

import { type KnownIssue, KNOWN_ISSUES } from "./known-issues.js";

type Schema = { [keyword: string]: unknown };
type Operation = { responses?: Record<string, { content?: Record<string, { schema: Schema }> }> };
type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

const COMPONENTS = "#/components/schemas/";
const DEFINITIONS_ID = "openapi-components";
// Keywords whose value is a schema, a list of schemas or a map of schemas;
// every other keyword's value (enum, example, default, required) is data.
const SUBSCHEMA = ["items", "not", "additionalProperties"];
const SUBSCHEMA_LISTS = ["allOf", "anyOf", "oneOf"];
const SUBSCHEMA_MAPS = ["properties"];

/** An OpenAPI 3.0 schema object as JSON Schema (draft-07), objects closed. */
export function toJsonSchema(node: Schema): Schema {
  const { nullable, ...openapi } = node;
  const schema: Schema = {};
  for (const [keyword, value] of Object.entries(openapi)) {
    if (keyword === "$ref") {
      const ref = String(value);
      if (!ref.startsWith(COMPONENTS)) throw new Error(`Unexpected $ref ${ref}`);
      schema.$ref = `${DEFINITIONS_ID}#/definitions/${ref.slice(COMPONENTS.length)}`;
    } else if (SUBSCHEMA.includes(keyword) && typeof value === "object") {
      schema[keyword] = toJsonSchema(value as Schema);
    } else if (SUBSCHEMA_LISTS.includes(keyword)) {
      schema[keyword] = (value as Schema[]).map(toJsonSchema);
    } else if (SUBSCHEMA_MAPS.includes(keyword)) {
      schema[keyword] = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([k, v]) => [k, toJsonSchema(v)]),
      );
    } else {
      schema[keyword] = value;
    }
  }
  // A closed object cannot be combined with another object through allOf (each
  // would refuse the other's properties); drf-spectacular uses allOf only to
  // wrap a single $ref. Refuse what this conversion cannot get right.
  if (Array.isArray(schema.allOf) && schema.allOf.length > 1) {
    throw new Error(`allOf with ${schema.allOf.length} members cannot be closed`);
  }
  if ((schema.type === "object" || "properties" in schema) && !("additionalProperties" in schema)) {
    schema.additionalProperties = false;
  }
  if (nullable !== true) return schema;
  // OpenAPI 3.0's nullable adds null to the type; without a type (a wrapped
  // $ref), it makes null one more alternative. An enum lists null itself.
  if (typeof schema.type === "string") return { ...schema, type: [schema.type, "null"] };
  return { anyOf: [schema, { type: "null" }] };
}

export interface Violation {
  operation: string;
  status: number;
  message: string;
}

/** The response schemas of docs/openapi.yaml, compiled once per response. */
export class Contract {
  readonly document: OpenApiDocument;
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly operationsSeen = new Set<string>();
  readonly knownIssuesSeen = new Map<KnownIssue, number>();
  responsesChecked = 0;

  constructor(schemaFile: string) {
    this.document = parse(readFileSync(schemaFile, "utf8")) as OpenApiDocument;
    if (!this.document.openapi.startsWith("3.0.")) {
      throw new Error(`${schemaFile} is OpenAPI ${this.document.openapi}; this check reads 3.0`);
    }
    this.ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false });
    // ajv-formats is CommonJS: from ES modules its plugin is the `default` member.
    formats.default(this.ajv);
    // The decimal strings of the API; each also carries the exact pattern.
    this.ajv.addFormat("decimal", /^-?\d+(\.\d+)?$/);
    this.ajv.addKeyword({ keyword: "example" });
    const definitions = Object.fromEntries(
      Object.entries(this.document.components.schemas).map(([name, s]) => [name, toJsonSchema(s)]),
    );
    this.ajv.addSchema({ $id: DEFINITIONS_ID, definitions });
  }

  /** Check one response; return what does not match, known issues left out. */
  check(response: {
    method: string;
    path: string;
    status: number;
    contentType: string | null;
    body: string;
  }): Violation[] {
    const method = response.method.toLowerCase();
    const operation = `${response.method.toUpperCase()} ${response.path}`;
    const fail = (message: string): Violation[] => [{ operation, status: response.status, message }];
    const documented = this.document.paths[response.path]?.[method];
    if (documented === undefined) return fail("the operation is not in the schema");
    const answer = documented.responses?.[String(response.status)] ?? documented.responses?.default;
    if (answer === undefined) return fail(`status ${response.status} is not documented`);
    this.responsesChecked += 1;
    this.operationsSeen.add(operation);
    if (answer.content === undefined) {
      return response.body === "" ? [] : fail("a body was sent where the schema documents none");
    }
    const mediaType = (response.contentType ?? "").split(";")[0]?.trim() ?? "";
    const content = answer.content[mediaType];
    if (content === undefined) {
      const documentedTypes = Object.keys(answer.content).join(", ");
      return fail(`content type "${mediaType}" is not documented (${documentedTypes})`);
    }
    let data: unknown;
    try {
      data = JSON.parse(response.body);
    } catch {
      return fail(`the body is not JSON: ${response.body.slice(0, 200)}`);
    }
    const validate = this.validator(`${operation} ${response.status} ${mediaType}`, content.schema);
    if (validate(data)) return [];
    return this.unknownErrors(operation, data, validate.errors ?? []).map((error) => ({
      operation,
      status: response.status,
      message: describe(error),
    }));
  }

  /** openapi-fetch middleware: a response that breaks the contract throws. */
  middleware(): Middleware {
    return {
      onResponse: async ({ request, response, schemaPath }) => {
        const violations = this.check({
          method: request.method,
          path: schemaPath,
          status: response.status,
          contentType: response.headers.get("content-type"),
          body: await response.clone().text(),
        });
        if (violations.length > 0) throw new ContractViolation(violations);
        return undefined;
      },
    };
  }

  /** The operations that answered at least once, for the summary. */
  get operations(): number {
    return this.operationsSeen.size;
  }

  private validator(key: string, schema: Schema): ValidateFunction {
    let validate = this.validators.get(key);
    if (validate === undefined) {
      validate = this.ajv.compile(toJsonSchema(schema));
      this.validators.set(key, validate);
    }
    return validate;
  }

  private unknownErrors(operation: string, data: unknown, errors: ErrorObject[]): ErrorObject[] {
    // An error inside an anyOf branch comes with the anyOf's own error, which
    // no known issue names: such a lie is always reported, never set aside.
    return errors.filter((error) => {
      const issue = KNOWN_ISSUES.find((known) => known.matches(operation, error, data));
      if (issue !== undefined) {
        this.knownIssuesSeen.set(issue, (this.knownIssuesSeen.get(issue) ?? 0) + 1);
      }
      return issue === undefined;
    });
  }
}

// Differences listed in a failure; the first few are enough to see the lie.
const SHOWN = 12;

export class ContractViolation extends Error {
  constructor(readonly violations: Violation[]) {
    const lines = violations.slice(0, SHOWN).map((v) => `  ${v.operation} -> ${v.status}: ${v.message}`);
    if (violations.length > SHOWN) lines.push(`  ... and ${violations.length - SHOWN} more`);
    super(`the response does not match docs/openapi.yaml:\n${lines.join("\n")}`);
    this.name = "ContractViolation";
  }
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === "" ? "the body" : error.instancePath;
  switch (error.keyword) {
    case "additionalProperties":
      return `${where} has "${String(error.params.additionalProperty)}", which the schema lacks`;
    case "required":
      return `${where} lacks "${String(error.params.missingProperty)}", which the schema requires`;
    case "type":
      return `${where} is ${JSON.stringify(error.data)}, not of type ${String(error.params.type)}`;
    default:
      return `${where} ${error.message ?? error.keyword} (${error.schemaPath})`;
  }
}
