/** List pages travel as opaque cursors (an offset inside). */
export const encodeCursor = (offset: number) => btoa(`o:${offset}`);

export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  try {
    const m = /^o:(\d+)$/.exec(atob(cursor));
    return m ? Math.min(Number(m[1]), 100_000) : 0;
  } catch {
    return 0;
  }
}
