// The real curl binary, for checks that must not go through Node's fetch.
import { runOk } from './run.js';

export interface CurlResponse {
  status: number;
  contentType: string;
  body: unknown;
  raw: string;
}

/** Run curl; the status and content type come from its -w output, the body is parsed as JSON when it is. */
export async function curl(args: string[]): Promise<CurlResponse> {
  const marker = '\n--curl-meta--';
  const { stdout } = await runOk('curl', ['-sS', '-w', `${marker}%{http_code} %{content_type}`, ...args], { timeoutMs: 30_000 });
  const at = stdout.lastIndexOf(marker);
  const raw = stdout.slice(0, at);
  const [status, ...type] = stdout.slice(at + marker.length).split(' ');
  let body: unknown = undefined;
  try {
    body = JSON.parse(raw);
  } catch {
    /* not JSON; the assertions say so */
  }
  return { status: Number(status), contentType: type.join(' '), body, raw };
}
