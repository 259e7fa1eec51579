// The one Pages Function of `npm run deploy -- --pages`: the dashboard is served by Cloudflare Pages, and
// every request for the Worker's own routes (/api, /ping, /status, /badge) is handed to the Worker through
// the VIGIL service binding. The browser never leaves the Pages origin, so the session cookie, the CSRF
// Origin check and the live tail's WebSocket work exactly as with Workers static assets.
//
// The request is passed on unchanged (its URL keeps the Pages host), so links the Worker builds from the
// request and the Origin it compares against are the Pages address.

interface Env {
  /** The Vigil Worker ([[services]] in the Pages config that scripts/deploy.mjs writes). */
  VIGIL: { fetch(request: Request): Promise<Response> };
}

export const onRequest = ({ request, env }: { request: Request; env: Env }): Promise<Response> => env.VIGIL.fetch(request);
