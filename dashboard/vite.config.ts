import { fileURLToPath } from 'node:url';
import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { docsPlugin } from './docs-plugin.ts';

// `npm run dev:dashboard` proxies the Worker's routes to `wrangler dev` (port 8787 by default).
const worker = process.env.VIGIL_WORKER_URL ?? 'http://127.0.0.1:8787';

export default defineConfig({
	plugins: [
		// docs/*.md and docs/images/ into the build under /docs/, for /help (docs-plugin.ts).
		docsPlugin(fileURLToPath(new URL('../docs', import.meta.url))),
		sveltekit({
			// A single-page app: the Worker serves dashboard/build as static assets and
			// answers unknown paths with index.html (not_found_handling = "single-page-application").
			adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', precompress: false }),
			// The Content-Security-Policy of every dashboard page. SvelteKit starts the app with one inline
			// <script>; in "hash" mode it writes this policy into index.html as a <meta http-equiv> tag with
			// that script's sha256 added to script-src, so no 'unsafe-inline' is needed for scripts and an
			// injected <script> or on* handler does not run. The meta tag cannot carry frame-ancestors:
			// static/_headers sends that (and the other security headers) as HTTP headers.
			csp: {
				mode: 'hash',
				directives: {
					'default-src': ['self'],
					'script-src': ['self'],
					// Styles only: Svelte writes style="…" attributes from its templates (and app.html has one);
					// an injected style attribute can restyle a page but not run code.
					'style-src': ['self', 'unsafe-inline'],
					'img-src': ['self'],
					'font-src': ['self'],
					// The API and the live tail's WebSocket are on the same origin ('self' matches ws:/wss: to
					// the page's own host in CSP Level 3 browsers; the logs e2e opens one under this policy).
					'connect-src': ['self'],
					'object-src': ['none'],
					'base-uri': ['none'],
					'form-action': ['self']
				}
			}
		})
	],
	server: {
		proxy: {
			'/api': { target: worker, changeOrigin: false },
			'/ping': { target: worker, changeOrigin: false },
			'/status': { target: worker, changeOrigin: false }
		}
	}
});
