// Types for bench/soak.mjs, for e2e/soak.e2e.ts (the short form of the same soak).

export interface SoakProject {
  id: number;
  key: string;
  groups: string[];
  crons: string[];
}

export interface SoakVigil {
  base: string;
  state: string;
  stop(): Promise<void>;
}

export interface KindResult {
  requests: number;
  ok: number;
  limited: number;
  failed: number;
  serverErrors: number;
  sent: number;
  accepted: number;
  p50: number | null;
  p95: number | null;
}

export interface MemoryVerdict {
  measured: boolean;
  start?: number;
  warm?: number;
  warmAt?: number;
  end?: number;
  peak?: number;
  growth?: number;
  kibPerRequest?: number | null;
  bound?: number;
  flat?: boolean;
  pids?: number[];
  afterDrain: number | null;
}

export interface Totals {
  errors: { accepted: number; stored: number; issues: number; groups: number; issueEvents: number };
  transactions: { accepted: number; stored: number; routesCount: number };
  logLines: { accepted: number; stored: number };
  checkinRuns: { accepted: number; stored: number; finishedAccepted: number; finishedStored: number };
}

export interface SoakResult {
  seconds: number;
  targetRate: number;
  operations: number;
  opsPerSecond: number;
  requests: number;
  requestsPerSecond: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  limited: number;
  serverErrors: number;
  failed: number;
  failures: string[];
  kinds: Record<"error" | "transaction" | "log" | "ndjson" | "checkin", KindResult>;
  drained: { seconds: number; caughtUp: boolean; want: Record<string, number>; got: Record<string, number> };
  verified: { problems: string[]; totals: Totals; projects: unknown[] };
  memory: MemoryVerdict;
  loadAverage: number[];
}

export function startSoakVigil(): Promise<SoakVigil>;
export function setUpSoak(base: string, options?: { projects?: number; groups?: number }): Promise<{ cookie: string; org: string; projects: SoakProject[] }>;
export function soak(options: {
  base: string;
  cookie: string;
  projects: SoakProject[];
  state: string;
  seconds: number;
  rate: number;
  concurrency?: number;
  verifyConcurrency?: number;
  sampleSeconds?: number;
  memoryBound?: number;
  drainSeconds?: number;
  onProgress?: (p: { t: number }) => void;
}): Promise<SoakResult>;
export function printSoak(result: SoakResult): void;
