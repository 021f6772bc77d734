/**
 * Standard Webhooks signing, as a payment provider does it (docs/orders.md,
 * "The payment webhook"): HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed
 * with the bytes of the base64 after `whsec_`, sent as `v1,<base64>`.
 */
import { createHmac, randomUUID } from "node:crypto";

const SECRET_PREFIX = "whsec_";

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** The three headers that sign `body` with a store's webhook secret. */
export function signWebhook(secret: string, body: string, at: Date = new Date()): SignedHeaders {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new Error(`a webhook secret starts with ${SECRET_PREFIX}`);
  }
  const id = `msg_${randomUUID().replaceAll("-", "")}`;
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": `v1,${signature}` };
}
