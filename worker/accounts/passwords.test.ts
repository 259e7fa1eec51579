import { describe, expect, it } from "vitest";
import { hashPassword, PBKDF2_ITERATIONS, PBKDF2_MAX_ITERATIONS, passwordProblem, verifyPassword } from "./passwords";

describe("password hashing", () => {
  it("stays within the 100,000 PBKDF2 iterations Cloudflare's production runtime accepts", () => {
    expect(PBKDF2_MAX_ITERATIONS).toBe(100_000);
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(PBKDF2_MAX_ITERATIONS);
  });

  it("stores algorithm, iteration count, per-user salt and hash", async () => {
    const a = await hashPassword("correct horse battery staple");
    const b = await hashPassword("correct horse battery staple");
    const [algorithm, iterations, salt, hash] = a.split("$");
    expect(algorithm).toBe("pbkdf2_sha256");
    expect(Number(iterations)).toBe(PBKDF2_ITERATIONS);
    expect(atob(salt!)).toHaveLength(16);
    expect(atob(hash!)).toHaveLength(32);
    expect(a).not.toBe(b); // different salts
  });

  it("verifies the right password and rejects a wrong one", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(await verifyPassword("correct horse battery staple", stored)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", stored)).toBe(false);
  });

  it("verifies hashes made with fewer iterations (the count is read from the hash)", async () => {
    const stored = await hashPassword("old password here", 1_000);
    expect(stored.split("$")[1]).toBe("1000");
    expect(await verifyPassword("old password here", stored)).toBe(true);
  });

  it("refuses to create or check hashes above the production ceiling", async () => {
    await expect(hashPassword("x", 100_001)).rejects.toThrow(/100000/);
    const tooMany = (await hashPassword("correct horse", 1000)).replace("$1000$", "$200000$");
    expect(await verifyPassword("correct horse", tooMany)).toBe(false);
  });

  it("rejects garbage hashes without throwing", async () => {
    for (const stored of ["", "md5$1$a$b", "pbkdf2_sha256$abc$a$b", "pbkdf2_sha256$0$a$b"]) {
      expect(await verifyPassword("anything", stored)).toBe(false);
    }
  });

  it("explains weak passwords", () => {
    expect(passwordProblem("short", "a@example.com")).toMatch(/at least 8/);
    expect(passwordProblem("password123", "a@example.com")).toMatch(/too common/);
    expect(passwordProblem("aaaaaaaaaaaa", "a@example.com")).toMatch(/repeats/);
    expect(passwordProblem("annsmith-2026", "annsmith@example.com")).toMatch(/email/);
    expect(passwordProblem("x".repeat(257), "a@example.com")).toMatch(/at most 256/);
    expect(passwordProblem("correct horse battery staple", "a@example.com")).toBeUndefined();
  });
});
