// The dashboard is a client-rendered SPA served from the Worker's static assets.
export const ssr = false;
export const prerender = false;
