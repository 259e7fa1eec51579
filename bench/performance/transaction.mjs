// The transaction the performance benchmarks send (bench/performance.mjs over HTTP, bench/performance/ inside
// workerd): no side effects, so the vitest config can import it.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const hex = (bytes) => randomBytes(bytes).toString("hex");

const FIXTURE = new URL("../../worker/test/fixtures/tx-product-list.envelope", import.meta.url);

/**
 * The captured /products/ transaction (30 spans: signals, connect, the product query, 24 review queries, the
 * template) with the 10 spans a Django app with `middleware_spans=True` and `cache_spans=True` adds: the 7
 * middleware of the shop nested in each other, the view inside them, a cache get and a cache set.
 */
export function productListTemplate() {
  const [header, , payload] = readFileSync(FIXTURE, "utf8").split("\n");
  const tx = JSON.parse(payload);
  const start = Date.parse(tx.start_timestamp);
  const end = Date.parse(tx.timestamp);
  const traceId = tx.contexts.trace.trace_id;
  const root = tx.contexts.trace.span_id;
  const iso = (ms) => new Date(ms).toISOString();
  const span = (parent, op, description, a, b) => ({
    trace_id: traceId,
    span_id: hex(8),
    parent_span_id: parent,
    same_process_as_parent: true,
    op,
    description,
    start_timestamp: iso(a),
    timestamp: iso(b),
    origin: "auto.http.django",
    data: { "thread.id": "140049905646464", "thread.name": "MainThread" },
  });
  const middleware = [
    "django.middleware.security.SecurityMiddleware.__call__",
    "django.contrib.sessions.middleware.SessionMiddleware.__call__",
    "django.middleware.common.CommonMiddleware.__call__",
    "django.middleware.csrf.CsrfViewMiddleware.__call__",
    "django.contrib.messages.middleware.MessageMiddleware.__call__",
    "store.middleware.CustomerMiddleware.__call__",
    "django.middleware.clickjacking.XFrameOptionsMiddleware.__call__",
  ];
  const added = [];
  let parent = root;
  middleware.forEach((name, i) => {
    const s = span(parent, "middleware.django", name, start + 0.2 + i * 0.05, end - 0.2 - i * 0.05);
    added.push(s);
    parent = s.span_id;
  });
  const view = span(parent, "view.render", "store.views.product_list", start + 0.7, end - 0.8);
  added.push(view);
  added.push(span(view.span_id, "cache.get", "product-list:ratings", start + 0.8, start + 1.0));
  added.push(span(view.span_id, "cache.put", "product-list:ratings", end - 1.2, end - 1.0));
  tx.spans.push(...added);
  return { header: JSON.parse(header), tx };
}

/**
 * `n` gzip envelopes (level 9, as the SDK compresses) of the template, each with a fresh event id and trace id,
 * its times moved to end now. Built and compressed up front, off the clock.
 */
export function transactionBodies(template, n) {
  const text = JSON.stringify(template.tx);
  const oldTrace = template.tx.contexts.trace.trace_id;
  const shift = Date.now() - Date.parse(template.tx.timestamp);
  const moved = text.replace(/"(start_timestamp|timestamp)":"([^"]+)"/g, (_, k, t) => `"${k}":"${new Date(Date.parse(t) + shift).toISOString()}"`);
  const bodies = [];
  for (let i = 0; i < n; i++) {
    const eventId = hex(16);
    const traceId = hex(16);
    const payload = moved.replaceAll(oldTrace, traceId).replace(/"event_id":"[0-9a-f]+"/, `"event_id":"${eventId}"`);
    const header = JSON.stringify({ ...template.header, event_id: eventId, sent_at: new Date().toISOString() }).replaceAll(oldTrace, traceId);
    const item = JSON.stringify({ type: "transaction", content_type: "application/json", length: Buffer.byteLength(payload) });
    bodies.push(gzipSync(Buffer.from(`${header}\n${item}\n${payload}\n`), { level: 9 }));
  }
  return bodies;
}
