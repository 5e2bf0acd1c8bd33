// One integration, written against the types openapi-typescript generated from
// openapi/openapi.json and the openapi-fetch client, both unmodified and type-checked with
// `tsc --strict`: an admin creates an API token; with it the integration registers a webhook on a
// loopback receiver that checks every signature, opens a ticket twice with one Idempotency-Key
// (one ticket), comments, uploads a file, pages through the tickets with the cursor, and receives
// the webhooks for all of it.
//
// Run by tests/e2e/clients.rs with BASE_URL, ADMIN_LOGIN and ADMIN_PASSWORD set.

import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const baseUrl = process.env.BASE_URL!;

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

type Event = { id: string; type: string; data: { ticket?: { id: number }; ticket_id?: number } };

const ticketOf = (e: Event) => e.data.ticket?.id ?? e.data.ticket_id;

/** Accepts deliveries whose Standard Webhooks signature is valid; 401 otherwise. */
function receiver(secret: () => Buffer, events: Event[]) {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      const signed = `${req.headers["webhook-id"]}.${req.headers["webhook-timestamp"]}.${body}`;
      const expected = Buffer.from(`v1,${createHmac("sha256", secret()).update(signed).digest("base64")}`);
      const valid = String(req.headers["webhook-signature"])
        .split(" ")
        .some((s) => s.length === expected.length && timingSafeEqual(Buffer.from(s), expected));
      if (valid) events.push(JSON.parse(body));
      res.writeHead(valid ? 200 : 401).end();
    });
  });
}

async function main() {
  const anonymous = createClient<paths>({ baseUrl });
  const session = await anonymous.POST("/api/v1/auth/login", {
    body: { login: process.env.ADMIN_LOGIN!, password: process.env.ADMIN_PASSWORD!, client: "api" },
  });
  check(session.data && "access_token" in session.data, `login: ${JSON.stringify(session.error)}`);
  const admin = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${session.data.access_token}` } });
  const token = await admin.POST("/api/v1/api-tokens", {
    body: { name: "Chat bridge", scopes: ["tickets:read", "tickets:write", "comments:write", "webhooks:manage"] },
  });
  check(token.data, `token: ${JSON.stringify(token.error)}`);
  check(token.data.secret.startsWith("hd_"), "the secret is recognisable");
  const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token.data.secret}` } });

  const events: Event[] = [];
  let signingKey = Buffer.alloc(0);
  const server = receiver(() => signingKey, events);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const hook = await client.POST("/api/v1/webhooks", {
    body: {
      url: `http://127.0.0.1:${port}/hook`,
      event_types: ["ticket.created", "comment.created", "attachment.created"],
    },
  });
  check(hook.data, `webhook: ${JSON.stringify(hook.error)}`);
  signingKey = Buffer.from(hook.data.secret.replace(/^whsec_/, ""), "base64");

  const ticket = { subject: "Chat: VPN drops every hour", description: "From the #support channel." };
  const params = { header: { "Idempotency-Key": "chat-msg-8812" } };
  const first = await client.POST("/api/v1/tickets", { params, body: ticket });
  const again = await client.POST("/api/v1/tickets", { params, body: ticket });
  check(first.data && again.data, `create: ${JSON.stringify(first.error ?? again.error)}`);
  check(again.response.headers.get("Idempotent-Replayed") === "true", "the retry was not replayed");
  check(again.data.id === first.data.id, "a retried POST with the same key must not create a second ticket");
  const id = first.data.id;

  const comment = await client.POST("/api/v1/tickets/{id}/comments", {
    params: { path: { id } },
    body: { body: "Collected the VPN logs." },
  });
  check(comment.data?.body === "Collected the VPN logs.", `comment: ${JSON.stringify(comment.error)}`);
  const upload = await client.POST("/api/v1/tickets/{id}/attachments", {
    params: { path: { id } },
    body: { file: ["vpn.log: tunnel down at 10:00\n"] },
    bodySerializer(body) {
      const form = new FormData();
      for (const content of body.file) form.append("file", new Blob([content], { type: "text/plain" }), "vpn.txt");
      return form;
    },
  });
  check(upload.data?.[0]?.filename === "vpn.txt", `upload: ${JSON.stringify(upload.error)}`);

  for (const n of [1, 2, 3]) {
    const more = await client.POST("/api/v1/tickets", { body: { subject: `Paging ${n}`, description: "x" } });
    check(more.data, `create: ${JSON.stringify(more.error)}`);
  }
  const seen: number[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await client.GET("/api/v1/tickets", { params: { query: { limit: 2, cursor } } });
    check(page.data, `list: ${JSON.stringify(page.error)}`);
    seen.push(...page.data.items.map((t) => t.id));
    if (!page.data.next_cursor) break;
    cursor = page.data.next_cursor;
  }
  check(seen.length === 4 && new Set(seen).size === 4 && seen.includes(id), `paged: ${seen}`);

  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && events.length < 6) await new Promise((r) => setTimeout(r, 200));
  // In order per ticket.
  const kinds = events.filter((e) => ticketOf(e) === id).map((e) => e.type);
  check(
    kinds.join() === "ticket.created,comment.created,attachment.created",
    `webhooks: ${JSON.stringify(events)}`,
  );
  check(events.filter((e) => e.type === "ticket.created").length === 4, `webhooks: ${JSON.stringify(events)}`);
  server.close();
  console.log(`typescript client: ticket ${first.data.number}, ${seen.length} tickets paged, ${events.length} webhooks verified`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
