/** The console's one HTML page: the layout and styles; ui/main.ts fills it. */
export function consolePage(options: { token: string; script: string | undefined; title: string }): string {
  const body = options.script
    ? `<script type="module" src="/__faasport/ui/${options.script}"></script>`
    : '<p class="missing">The console’s scripts are not built: run <code>npm run build</code> in the faasport package.</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="faasport-token" content="${options.token}">
<title>faasport console — ${escapeHtml(options.title)}</title>
<style>${STYLES}</style>
</head>
<body>
<header><h1>faasport</h1><span id="service">${escapeHtml(options.title)}</span><span id="status" class="status">connecting…</span></header>
<main>
  <section id="functions"><h2>Functions</h2><div class="body"></div></section>
  <section id="timeline"><h2>Timeline <small>cold ● warm ○ · instances per function</small></h2><div class="body"></div></section>
  <section id="invocations"><h2>Invocations</h2><div class="body"></div></section>
  <section id="detail"><h2>Invocation</h2><div class="body"><p class="hint">Pick an invocation to see its logs, or replay it with an edited event.</p></div></section>
  <section id="reloads"><h2>Hot reloads</h2><div class="body"></div></section>
  <section id="planes"><h2>Local cloud</h2><div class="body"></div></section>
</main>
${body}
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLES = `
:root { color-scheme: light dark; --bg:#0f1419; --panel:#161c24; --line:#2a3340; --text:#d8dee9; --dim:#8b95a5; --cold:#4fa3ff; --warm:#f2b45a; --bad:#ff6b6b; --good:#5fd38d; --write:#ffcc66; }
* { box-sizing: border-box; }
body { margin:0; font: 13px/1.45 ui-sans-serif, system-ui, sans-serif; background:var(--bg); color:var(--text); }
header { display:flex; gap:16px; align-items:baseline; padding:10px 16px; border-bottom:1px solid var(--line); }
header h1 { font-size:16px; margin:0; }
.status { margin-left:auto; color:var(--dim); }
.status.live { color:var(--good); }
main { display:grid; grid-template-columns: 1fr 1fr; gap:12px; padding:12px; }
section { background:var(--panel); border:1px solid var(--line); border-radius:6px; padding:8px 12px; min-width:0; overflow-x:auto; }
a { color:var(--cold); }
h3 { font-size:12px; margin:10px 0 4px; color:var(--dim); font-weight:500; }
section#timeline, section#invocations { grid-column: 1 / -1; }
h2 { font-size:13px; margin:0 0 8px; color:var(--dim); text-transform:uppercase; letter-spacing:.04em; }
h2 small { text-transform:none; letter-spacing:0; }
table { width:100%; border-collapse:collapse; }
th, td { text-align:left; padding:3px 6px; border-bottom:1px solid var(--line); white-space:nowrap; overflow:hidden; text-overflow:ellipsis; max-width:360px; }
th { color:var(--dim); font-weight:500; }
tr.invocation { cursor:pointer; }
tr.invocation:hover, tr.selected { background:#1f2833; }
.cold { color:var(--cold); } .warm { color:var(--warm); }
.bad { color:var(--bad); } .good { color:var(--good); }
tr.write td { color:var(--write); }
button, select { font:inherit; background:#243040; color:var(--text); border:1px solid var(--line); border-radius:4px; padding:2px 8px; cursor:pointer; }
button:hover { border-color:var(--cold); }
pre, textarea { font: 12px/1.4 ui-monospace, monospace; background:#0b0f14; color:var(--text); border:1px solid var(--line); border-radius:4px; padding:6px; white-space:pre-wrap; word-break:break-all; max-height:260px; overflow:auto; margin:6px 0; }
textarea { width:100%; min-height:140px; }
.hint, .missing { color:var(--dim); }
.lane-label { fill:var(--dim); font-size:11px; }
svg { width:100%; display:block; }
`;
