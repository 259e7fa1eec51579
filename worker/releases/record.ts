/** Releases seen in a batch of events or transactions: the first time a version shows up is its deploy marker. */
export interface SeenRelease {
  projectId: number;
  version: string;
  /** When the event or transaction happened (epoch ms). */
  at: number;
}

/** One statement per batch: new versions are added; a version seen earlier than recorded (late data) moves back. */
export async function recordReleases(d1: D1Database, seen: SeenRelease[]): Promise<void> {
  const first = new Map<string, SeenRelease>();
  for (const s of seen) {
    if (!s.version || s.version.length > 200) continue;
    const key = `${s.projectId}|${s.version}`;
    const known = first.get(key);
    if (!known || s.at < known.at) first.set(key, s);
  }
  if (first.size === 0) return;
  await d1
    .prepare(
      `INSERT INTO releases (project_id, version, first_seen) SELECT value->>0, value->>1, value->>2 FROM json_each(?) WHERE true
       ON CONFLICT (project_id, version) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen)`,
    )
    .bind(JSON.stringify([...first.values()].slice(0, 500).map((s) => [s.projectId, s.version, Math.round(s.at)])))
    .run();
}
