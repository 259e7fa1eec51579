import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// `npm run dev:dashboard` proxies the Worker's routes to `wrangler dev` (port 8787 by default).
const worker = process.env.VIGIL_WORKER_URL ?? 'http://127.0.0.1:8787';

export default defineConfig({
	plugins: [
		sveltekit({
			// A single-page app: the Worker serves dashboard/build as static assets and
			// answers unknown paths with index.html (not_found_handling = "single-page-application").
			adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', precompress: false })
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
