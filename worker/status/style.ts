/**
 * The status page's only stylesheet, inlined in a <style> element and allowed by its hash in the
 * Content-Security-Policy (no external assets, no inline style attributes, no scripts).
 * Colors are the dashboard's tokens; dark mode follows prefers-color-scheme.
 */
export const CSS = `
:root{color-scheme:light dark;--bg:#f6f6f8;--surface:#fff;--surface-2:#f0f0f3;--border:#dedee4;--text:#18181d;--muted:#5b5c66;--faint:#7b7c86;
--ok:#15803d;--ok-soft:#e7f6ec;--ok-bar:#2f9e5b;--warn:#a15c07;--warn-soft:#fdf3e2;--warn-bar:#e0a020;--down:#b91c1c;--down-soft:#fdecec;--down-bar:#d64545;
--info:#3f37c9;--info-soft:#ecebfd;--none:#5f6370;--none-soft:#ececf0;--none-bar:#d2d3da;--radius:8px;
--font:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,'Noto Sans',sans-serif}
@media (prefers-color-scheme:dark){:root{--bg:#0e0f13;--surface:#16171c;--surface-2:#1d1e25;--border:#2a2b34;--text:#e9e9ee;--muted:#a3a4b0;--faint:#868793;
--ok:#4ade80;--ok-soft:#132a1c;--ok-bar:#2fa862;--warn:#fbbf24;--warn-soft:#2e2412;--warn-bar:#d69e1e;--down:#f87171;--down-soft:#321819;--down-bar:#e05252;
--info:#a9a6fa;--info-soft:#24233f;--none:#a1a1aa;--none-soft:#25262d;--none-bar:#4a4b56}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 var(--font)}
a{color:inherit;text-underline-offset:2px}
a:focus-visible{outline:2px solid var(--info);outline-offset:2px;border-radius:2px}
.wrap{max-width:860px;margin:0 auto;padding:40px 20px 32px}
.top{margin-bottom:20px}
.top h1{margin:0;font-size:26px;line-height:1.25;font-weight:650;overflow-wrap:anywhere}
.top p{margin:2px 0 0;color:var(--muted)}
h2{font-size:13px;font-weight:600;letter-spacing:.04em;text-transform:uppercase;color:var(--muted);margin:32px 0 10px}
h2 .note{text-transform:none;letter-spacing:0;font-weight:400;color:var(--faint)}
.banner{display:flex;gap:14px;align-items:center;padding:18px 20px;border-radius:var(--radius);border:1px solid var(--border);background:var(--surface)}
.banner .icon{flex:none;width:34px;height:34px;border-radius:50%;display:grid;place-items:center;font-weight:700;font-size:18px;color:#fff}
.banner p{margin:0}
.banner .title{font-size:19px;font-weight:650;line-height:1.3}
.banner .meta{color:var(--muted);font-size:13px}
.tone-ok.banner{background:var(--ok-soft)}.tone-ok .icon{background:var(--ok-bar)}
.tone-warn.banner{background:var(--warn-soft)}.tone-warn .icon{background:var(--warn-bar)}
.tone-down.banner{background:var(--down-soft)}.tone-down .icon{background:var(--down-bar)}
.tone-info.banner{background:var(--info-soft)}.tone-info .icon{background:var(--info)}
.card{background:var(--surface);border:1px solid var(--border);border-radius:var(--radius)}
.list{list-style:none;margin:0;padding:0}
.list>li{padding:16px 20px;border-top:1px solid var(--border)}
.list>li:first-child{border-top:0}
.head{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:baseline;justify-content:space-between}
.name{margin:0;font-size:16px;font-weight:600;overflow-wrap:anywhere;min-width:0}
.state{display:inline-flex;align-items:center;gap:6px;font-size:14px;font-weight:500;white-space:nowrap}
.state::before{content:"";width:9px;height:9px;border-radius:50%;background:var(--none-bar)}
.state.tone-ok{color:var(--ok)}.state.tone-ok::before{background:var(--ok-bar)}
.state.tone-warn{color:var(--warn)}.state.tone-warn::before{background:var(--warn-bar)}
.state.tone-down{color:var(--down)}.state.tone-down::before{background:var(--down-bar)}
.state.tone-info{color:var(--info)}.state.tone-info::before{background:var(--info)}
.state.tone-none{color:var(--none)}
.bars{display:flex;gap:2px;height:34px;margin:12px 0 6px;padding:0;list-style:none}
.bars li{flex:1 1 0;min-width:0;border-radius:2px;background:var(--none-bar)}
.bars li:hover{opacity:.7}
.bars .tone-ok{background:var(--ok-bar)}.bars .tone-warn{background:var(--warn-bar)}.bars .tone-down{background:var(--down-bar)}
.axis{display:flex;justify-content:space-between;gap:8px;font-size:12px;color:var(--faint)}
.axis .uptime{color:var(--muted);font-weight:500}
.axis .short{display:none}
.incident .when{margin:4px 0 0;color:var(--muted);font-size:14px}
.incident time{color:var(--text);font-variant-numeric:tabular-nums}
.tag{font-size:12px;font-weight:600;padding:1px 8px;border-radius:999px;white-space:nowrap}
.tag.tone-down{background:var(--down-soft);color:var(--down)}
.tag.tone-ok{background:var(--ok-soft);color:var(--ok)}
.empty{padding:16px 20px;margin:0;color:var(--muted)}
footer{margin-top:36px;font-size:13px;color:var(--faint);display:flex;flex-wrap:wrap;gap:4px 16px;justify-content:space-between}
.notfound{text-align:center;padding-top:80px}
.notfound h1{font-size:24px;margin:0 0 8px}
.notfound p{color:var(--muted);max-width:460px;margin:8px auto}
@media (max-width:600px){
.wrap{padding:24px 14px 24px}
.top h1{font-size:22px}
.banner{padding:14px 16px}
.banner .title{font-size:17px}
.list>li{padding:14px 16px}
.bars{gap:2px;height:30px}
.bars li:nth-child(-n+60){display:none}
.axis .long{display:none}
.axis .short{display:inline}
}
`;

let hash: Promise<string> | undefined;

/** `'sha256-…'` of CSS, for the Content-Security-Policy's style-src (computed once per isolate). */
export function styleHash(): Promise<string> {
  hash ??= crypto.subtle.digest("SHA-256", new TextEncoder().encode(CSS)).then((d) => `'sha256-${btoa(String.fromCharCode(...new Uint8Array(d)))}'`);
  return hash;
}
