/**
 * The /console page: plain HTML, CSS and a script, no build step. It reads everything
 * through the public API with the API key the operator types in (kept in this tab's
 * sessionStorage only): GET /console/invitations (SSE, read with fetch so the key can
 * travel in a header) for the live list, GET /invitations/{id}/trace for a timeline.
 */
export const CONSOLE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Invitations gateway console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
  header { background: #1d2330; color: #fff; padding: 10px 16px; display: flex; gap: 12px; align-items: center; }
  header h1 { font-size: 16px; margin: 0 12px 0 0; }
  header input { width: 260px; padding: 4px 6px; }
  #state { margin-left: auto; font-size: 12px; opacity: .8; }
  main { display: grid; grid-template-columns: minmax(380px, 1fr) 2fr; gap: 16px; padding: 16px; }
  section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 12px; overflow: auto; }
  h2 { font-size: 14px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eef0f3; white-space: nowrap; }
  tbody tr { cursor: pointer; } tbody tr:hover, tr.selected { background: #eef4ff; }
  .status { font-weight: 600; } .s-joined { color: #137333; } .s-failed, .s-expired { color: #b3261e; }
  .s-declined, .s-no_answer, .s-canceled { color: #8a5a00; }
  .item { display: grid; grid-template-columns: 80px 130px 1fr; gap: 8px; padding: 3px 0; align-items: center; }
  .offset { color: #667; font-variant-numeric: tabular-nums; text-align: right; }
  .kind { font-size: 12px; border-radius: 3px; padding: 1px 6px; color: #fff; text-align: center; }
  .kind-upstream_request .kind { background: #3558c5; } .kind-provider_event .kind { background: #7a3fb5; }
  .kind-status_change .kind { background: #137333; } .kind-webhook_attempt .kind { background: #b0610a; }
  .bar { height: 6px; background: #c9d4f5; border-radius: 3px; margin-top: 2px; min-width: 2px; }
  .muted { color: #778; }
</style>
</head>
<body>
<header>
  <h1>Invitations gateway</h1>
  <label>API key <input id="key" type="password" autocomplete="off" placeholder="empty when API_KEYS is empty"></label>
  <button id="connect">Connect</button>
  <span id="state">not connected</span>
</header>
<main>
  <section>
    <h2>Recent invitations (live)</h2>
    <table><thead><tr><th>created</th><th>provider</th><th>to</th><th>status</th></tr></thead>
    <tbody id="invitations"></tbody></table>
  </section>
  <section>
    <h2 id="trace-title">Trace: pick an invitation</h2>
    <div id="timeline" class="muted">Request, provider calls, events and webhooks appear here, with durations.</div>
  </section>
</main>
<script>
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const keyInput = $('key');
  keyInput.value = sessionStorage.getItem('invitations-api-key') || '';
  let selected = null, controller = null;
  const headers = () => (keyInput.value ? { 'X-API-Key': keyInput.value } : {});
  const text = (value) => document.createTextNode(value == null ? '' : String(value));
  const cell = (row, value, className) => {
    const td = document.createElement('td');
    if (className) td.className = className;
    td.appendChild(text(value));
    row.appendChild(td);
  };

  function renderList(items) {
    const body = $('invitations');
    body.replaceChildren();
    for (const invitation of items) {
      const row = document.createElement('tr');
      row.dataset.id = invitation.id;
      row.dataset.status = invitation.status;
      if (invitation.id === selected) row.className = 'selected';
      cell(row, new Date(invitation.createdAt).toLocaleTimeString());
      cell(row, invitation.provider);
      cell(row, invitation.to);
      cell(row, invitation.status, 'status s-' + invitation.status);
      row.addEventListener('click', () => showTrace(invitation.id));
      body.appendChild(row);
    }
    if (selected && items.some((item) => item.id === selected)) void showTrace(selected, true);
  }

  function describe(item) {
    switch (item.kind) {
      case 'upstream_request':
        return item.provider + ' ' + item.operation + ': ' + item.method + ' ' + item.url + ' → ' +
          (item.status == null ? (item.error || 'no answer') : item.status) + ' (attempt ' + item.attempt + ')';
      case 'provider_event':
        return item.provider + ' via ' + item.channel + ': ' + item.summary + ' — ' + item.result;
      case 'status_change':
        return '#' + item.sequence + ' ' + item.status + ' (' + item.source + ')' +
          (item.detail ? ': ' + item.detail : '') + (item.amended ? ' [amended]' : '');
      case 'webhook_attempt':
        return 'webhook #' + item.sequence + ' to ' + item.receiverHost + ' → ' +
          (item.status == null ? (item.error || 'no answer') : item.status) + ' (attempt ' + item.attempt + ')';
      default:
        return item.kind;
    }
  }

  async function showTrace(id, quiet) {
    selected = id;
    for (const row of $('invitations').children) row.className = row.dataset.id === id ? 'selected' : '';
    const response = await fetch('/invitations/' + encodeURIComponent(id) + '/trace', { headers: headers() });
    const timeline = $('timeline');
    if (!response.ok) {
      if (!quiet) timeline.replaceChildren(text('Trace not available (' + response.status + ')'));
      return;
    }
    const trace = await response.json();
    $('trace-title').replaceChildren(text('Trace of ' + trace.invitationId));
    const start = trace.items.length ? Date.parse(trace.items[0].at) : 0;
    const end = Math.max(start + 1, ...trace.items.map((item) => Date.parse(item.at) + (item.durationMs || 0)));
    timeline.className = '';
    timeline.replaceChildren(...trace.items.map((item) => {
      const line = document.createElement('div');
      line.className = 'item kind-' + item.kind;
      line.dataset.kind = item.kind;
      const offset = document.createElement('span');
      offset.className = 'offset';
      offset.appendChild(text('+' + (Date.parse(item.at) - start) + ' ms'));
      const kind = document.createElement('span');
      kind.className = 'kind';
      kind.appendChild(text(item.kind.replace('_', ' ')));
      const what = document.createElement('div');
      what.appendChild(text(describe(item) + (item.durationMs != null ? ' — ' + item.durationMs + ' ms' : '')));
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.style.marginLeft = ((Date.parse(item.at) - start) / (end - start)) * 100 + '%';
      bar.style.width = ((item.durationMs || 0) / (end - start)) * 100 + '%';
      what.appendChild(bar);
      line.append(offset, kind, what);
      return line;
    }));
  }

  async function follow() {
    controller?.abort();
    controller = new AbortController();
    sessionStorage.setItem('invitations-api-key', keyInput.value);
    $('state').textContent = 'connecting…';
    try {
      const response = await fetch('/console/invitations', { headers: headers(), signal: controller.signal });
      if (!response.ok) {
        $('state').textContent = response.status === 401 ? 'the API key was refused' : 'error ' + response.status;
        return;
      }
      $('state').textContent = 'live';
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf('\\n\\n')) !== -1) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = frame.split('\\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\\n');
          if (data) renderList(JSON.parse(data).items);
        }
      }
      $('state').textContent = 'disconnected; reconnecting…';
    } catch (error) {
      if (error.name === 'AbortError') return;
      $('state').textContent = 'disconnected; reconnecting…';
    }
    setTimeout(follow, 2000);
  }

  $('connect').addEventListener('click', follow);
  keyInput.addEventListener('keydown', (event) => { if (event.key === 'Enter') follow(); });
  follow();
})();
</script>
</body>
</html>
`;
