// The do-nothing Worker every benchmark is compared with: same runtime, same wrangler, no work.
export default {
  fetch: () => new Response("ok"),
};
