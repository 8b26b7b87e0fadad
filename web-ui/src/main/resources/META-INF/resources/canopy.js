// The dashboard uses only the public REST API, with the token the user signs in with.
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem('canopy-token') || '';

async function api(path, options = {}) {
  const response = await fetch(`/api/v1${path}`, {
    ...options,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(options.headers || {}) },
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.message || response.statusText);
  return body;
}

function rows(table, items, cells) {
  const tbody = $(table).querySelector('tbody');
  tbody.replaceChildren(...items.map((item) => {
    const tr = document.createElement('tr');
    for (const text of cells(item)) {
      const td = document.createElement('td');
      td.textContent = text ?? '';
      tr.append(td);
    }
    return tr;
  }));
}

async function showTeam(team) {
  const [datasets, page] = await Promise.all([
    api(`/teams/${encodeURIComponent(team)}/datasets`),
    api(`/teams/${encodeURIComponent(team)}/runs/search`, { method: 'POST', body: JSON.stringify({ filter: $('filter').value }) }),
  ]);
  rows('datasets', datasets, (d) => [d.name, d.latestVersion, d.createdAt]);
  rows('runs', page.runs, (r) => [r.name, r.experiment, r.status, r.startedAt,
    Object.entries(r.latestMetrics).map(([k, v]) => `${k}=${v}`).join(', ')]);
}

async function signIn() {
  try {
    const me = await api('/me');
    $('who').textContent = me.user;
    $('team').replaceChildren(...me.teams.map((t) => new Option(t.name, t.name)));
    if (me.teams.length) await showTeam(me.teams[0].name);
    $('error').textContent = '';
  } catch (e) {
    $('error').textContent = e.message;
  }
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  token = $('token').value.trim();
  sessionStorage.setItem('canopy-token', token);
  signIn();
});
$('team').addEventListener('change', () => showTeam($('team').value).catch((e) => { $('error').textContent = e.message; }));
$('search').addEventListener('submit', (e) => {
  e.preventDefault();
  showTeam($('team').value).catch((err) => { $('error').textContent = err.message; });
});
if (token) signIn();
