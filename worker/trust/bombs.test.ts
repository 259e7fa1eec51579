import { SELF } from "cloudflare:test";
import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { compress as snappy } from "snappyjs";
import { describe, expect, it } from "vitest";
import { MAX_DECOMPRESSED_BYTES } from "../ingest/body";
import { keyOf, ORIGIN, withProject } from "../test/client";
import keyError from "../test/fixtures/key-error.envelope?raw";
import lokiJson from "../test/fixtures/logs/loki-push.json?raw";
import vectorNdjson from "../test/fixtures/logs/vector-events.ndjson?raw";
import otlpLogsJson from "../test/fixtures/logs/otlp-logs.json?raw";
import lokiSnappyB64 from "../test/fixtures/logs/loki-push.pb.snappy.b64?raw";
import tracesJson from "../test/fixtures/otlp/django-traces.json?raw";
import { fromBase64 } from "../lib/encoding";
import { freshEnvelope } from "./bystander";

/**
 * Decompression bombs at the doors that inflate: a few hundred KB that grow past MAX_DECOMPRESSED_BYTES,
 * in every encoding the doors accept (gzip, zlib deflate, raw deflate, br). Each is a 413 with a message a
 * person can act on, and the real data the same client sends next is accepted.
 */
const MB = 1024 * 1024;

/** A body that is valid JSON for every door once inflated, only far too big: one long string. */
function inflated(): Uint8Array {
  const size = MAX_DECOMPRESSED_BYTES + 8 * MB;
  const out = new Uint8Array(size).fill(0x61);
  const head = new TextEncoder().encode('{"message":"');
  out.set(head, 0);
  out.set(new TextEncoder().encode('"}'), size - 2);
  return out;
}

const ENCODINGS: { name: string; header: string; compress: (b: Uint8Array) => Uint8Array }[] = [
  { name: "gzip", header: "gzip", compress: (b) => gzipSync(b) },
  { name: "deflate (zlib)", header: "deflate", compress: (b) => deflateSync(b) },
  { name: "deflate (raw)", header: "deflate", compress: (b) => deflateRawSync(b) },
  // Quality 4: the same bomb, compressed in a fraction of the default's time.
  { name: "br", header: "br", compress: (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }) },
];

const DOORS = [
  { name: "envelope", path: "/envelope/", contentType: "application/x-sentry-envelope", real: () => freshEnvelope(keyError).body, ok: 200 },
  { name: "OTLP traces", path: "/integration/otlp/v1/traces", contentType: "application/json", real: () => tracesJson, ok: 200 },
  { name: "OTLP logs", path: "/integration/otlp/v1/logs", contentType: "application/json", real: () => otlpLogsJson, ok: 200 },
  { name: "logs", path: "/logs/", contentType: "application/x-ndjson", real: () => vectorNdjson, ok: 200 },
  { name: "Loki", path: "/loki/api/v1/push", contentType: "application/json", real: () => lokiJson, ok: 204 },
];

describe("decompression bombs", () => {
  const bombs = (() => {
    const body = inflated();
    return ENCODINGS.map((e) => ({ ...e, bytes: e.compress(body) }));
  })();

  it("are small on the wire", () => {
    for (const b of bombs) expect(b.bytes.byteLength, b.name).toBeLessThan(MB);
  });

  for (const door of DOORS) {
    it(`${door.name}: each is a 413 with a readable message, and the real data sent next is accepted`, async () => {
      const { project } = await withProject(`bombs-${door.name}`);
      const post = (body: BodyInit, headers: Record<string, string>) =>
        SELF.fetch(`${ORIGIN}/api/${project.id}${door.path}`, {
          method: "POST",
          headers: { "x-sentry-auth": `Sentry sentry_key=${keyOf(project.dsn)}, sentry_version=7`, "content-type": door.contentType, ...headers },
          body,
        });
      for (const bomb of bombs) {
        const res = await post(bomb.bytes, { "content-encoding": bomb.header });
        const body = (await res.json()) as { error?: { code?: string; message?: string }; requestId?: string };
        expect(res.status, `${door.name} ${bomb.name}`).toBe(413);
        expect(body.error?.code).toBe("payload_too_large");
        expect(body.error?.message, bomb.name).toMatch(/decompresses to more than \d+ MB/);
        expect(body.requestId).toBeTruthy();
        const real = await post(gzipSync(door.real()), { "content-encoding": "gzip" });
        expect(real.status, `${door.name}: real data after the ${bomb.name} bomb: ${await real.clone().text()}`).toBe(door.ok);
        await real.body?.cancel();
      }
    });
  }

  it("Loki: a snappy block that inflates past the cap is a 413 too, and the real push sent next is accepted", async () => {
    const { project } = await withProject("bombs-snappy");
    const post = (body: Uint8Array) =>
      SELF.fetch(`${ORIGIN}/api/${project.id}/loki/api/v1/push`, { method: "POST", headers: { authorization: `Bearer ${keyOf(project.dsn)}`, "content-type": "application/x-protobuf" }, body });
    const bomb = snappy(new Uint8Array(MAX_DECOMPRESSED_BYTES + 8 * MB));
    expect(bomb.byteLength).toBeLessThan(4 * MB);
    const res = await post(bomb);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/decompresses to \d+ bytes, more than \d+ MB/);
    const real = await post(fromBase64(lokiSnappyB64.trim()));
    expect(real.status).toBe(204);
  });
});
