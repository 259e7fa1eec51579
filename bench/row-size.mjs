// Bytes a stored error event and a stored transaction take in D1, indexes included: the schema of every
// migration in migrations/ applied to an in-memory SQLite (D1 is SQLite; this is not D1 itself), then
// ROWS realistic rows of each, measured as the growth of the VACUUMed file. docs/scaling.md uses the result
// to say how many of each fit in a 10 GB database.
//
//   node bench/row-size.mjs            (ROWS=50000 by default)
import { randomBytes, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";

const ROWS = Number(process.env.ROWS ?? 50_000);
const db = new DatabaseSync(":memory:");
for (const file of readdirSync("migrations").filter((f) => f.endsWith(".sql")).sort()) {
  for (const statement of readFileSync(`migrations/${file}`, "utf8").split("--> statement-breakpoint")) {
    if (statement.trim()) db.exec(statement);
  }
}
const size = () => {
  db.exec("VACUUM");
  return db.prepare("PRAGMA page_count").get().page_count * db.prepare("PRAGMA page_size").get().page_size;
};
const hex = (n) => randomBytes(n).toString("hex");
const eventId = () => randomUUID().replaceAll("-", "");

db.exec(`INSERT INTO organizations VALUES ('o', 'o', 'o', 0);
  INSERT INTO projects (id, org_id, slug, name, platform, created_at) VALUES (1, 'o', 'shop', 'Shop', 'django', 0);
  INSERT INTO issues (id, project_id, hash, grouping_algorithm, title, culprit, type, value, level, first_seen, last_seen)
    VALUES (1, 1, 'h', 'v1:exception', 'ZeroDivisionError: division by zero', 'shop.reports.average', 'ZeroDivisionError', 'division by zero', 'error', 0, 0);`);

/** Bytes per row of what `insert(i)` writes, ROWS times in one transaction. */
function perRow(insert) {
  const before = size();
  db.exec("BEGIN");
  for (let i = 0; i < ROWS; i++) insert(i);
  db.exec("COMMIT");
  return Math.round((size() - before) / ROWS);
}

const t0 = Date.now();
const event = db.prepare(
  `INSERT INTO events (project_id, event_id, issue_id, timestamp, received_at, level, title, release, environment, user_label, url, r2_key, trace_id)
   VALUES (1, ?, 1, ?, ?, 'error', 'ZeroDivisionError: division by zero', 'shop@1.4.2', 'production', ?, 'https://shop.example.com/reports/average/', ?, ?)`,
);
const transaction = db.prepare(
  `INSERT INTO perf_transactions (project_id, event_id, trace_id, "transaction", start, duration_ms, status, http_status, environment, release, span_count, breakdown, r2_key)
   VALUES (1, ?, ?, ?, ?, ?, 'ok', 200, 'production', 'shop@1.4.2', 40, ?, ?)`,
);
const breakdown = JSON.stringify({ db: 61.2, cache: 2.1, template: 18.4, http: 0, other: 38.8 });

const result = {
  rows: ROWS,
  bytesPerEventRow: perRow((i) => {
    const id = eventId();
    event.run(id, t0 + i * 100, t0 + i * 100 + 80, `customer${i % 5000}@example.com`, `events/1/${id}.json.gz`, hex(16));
  }),
  bytesPerTransactionRow: perRow((i) => {
    const id = eventId();
    transaction.run(id, hex(16), `/products/{slug}/${i % 50}`, t0 + i * 100, 120.5 + (i % 300), breakdown, `traces/1/${id}.json.gz`);
  }),
};
console.log(JSON.stringify(result));
