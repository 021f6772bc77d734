/**
 * The flow's API client: openapi-fetch over the types that openapi-typescript
 * generates from docs/openapi.yaml, one client per caller, and every response
 * checked against the schema by the contract's middleware.
 */
import assert from "node:assert/strict";
import { STATUS_CODES } from "node:http";

import createClient, { type Client } from "openapi-fetch";

import type { Contract } from "./contract.js";
import type { components, paths } from "./generated/openapi.js";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

/** Someone calling the API: a client, and the token pair once signed in. */
export interface Caller {
  readonly api: Client<paths>;
  tokens: { access: string; refresh: string } | null;
}

export function newCaller(baseUrl: string, contract: Contract): Caller {
  const caller: Caller = {
    api: createClient<paths>({
      baseUrl,
      // Production redirects plain HTTP to HTTPS; a redirect here means the
      // request did not look as it would behind the TLS proxy: fail on it.
      redirect: "error",
      // What the TLS-terminating proxy in front of gunicorn adds to every
      // request (SECURE_PROXY_SSL_HEADER in config/settings/production.py).
      headers: { "X-Forwarded-Proto": "https" },
    }),
    tokens: null,
  };
  caller.api.use(
    {
      onRequest: ({ request }) => {
        if (caller.tokens !== null) {
          request.headers.set("Authorization", `Bearer ${caller.tokens.access}`);
        }
        return undefined;
      },
    },
    contract.middleware(),
  );
  return caller;
}

/** What every openapi-fetch call returns; errors are the schema's Problem. */
interface Answer<T> {
  data?: T;
  error?: Problem;
  response: Response;
}

/** The body of a successful answer with the expected status. */
export function ok<T>(answer: Answer<T>, status: number): T {
  const { data, error, response } = answer;
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${JSON.stringify(error)}`);
  assert.ok(data !== undefined, `${status} without a body`);
  return data;
}

/** A successful answer that has no body (204). */
export function noContent(answer: Answer<unknown>): void {
  assert.equal(answer.response.status, 204, `expected 204: ${JSON.stringify(answer.error)}`);
}

/** The problem+json document of an error answer, checked member by member. */
export function problem(answer: Answer<unknown>, expected: { status: number; code: string }): Problem {
  const { error, response } = answer;
  assert.equal(response.status, expected.status, `expected ${expected.status} ${expected.code}`);
  assert.equal(response.headers.get("content-type"), "application/problem+json");
  assert.ok(error !== undefined, "an error answer without a problem document");
  assert.equal(error.type, `urn:orderly:problem:${expected.code}`);
  assert.equal(error.title, STATUS_CODES[expected.status]);
  assert.equal(error.status, expected.status);
  assert.equal(error.code, expected.code);
  assert.ok(error.detail.length > 0, "a problem without a detail");
  return error;
}

/** The cursor of a page's `next` link, or undefined on the last page. */
export function nextCursor(next: string | null | undefined, listPath: string): string | undefined {
  if (next === null || next === undefined) return undefined;
  // `next` is an opaque link to the same list; a typed client sends its cursor.
  const url = new URL(next);
  assert.equal(url.pathname, listPath, `next points elsewhere: ${next}`);
  const cursor = url.searchParams.get("cursor");
  assert.ok(cursor !== null && cursor !== "", `next has no cursor: ${next}`);
  return cursor;
}
