// The dashboard uses only the public REST API, with the token the user signs in with.
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem('canopy-token') || '';

async function api(path, options = {}) {
  const response = await fetch(`/api/v1${path}`, {
    ...options,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(options.headers || {}) },
  });
  // A proxy's HTML error page, or an empty body, is no JSON: say the status rather than a parse error.
  const json = (response.headers.get('Content-Type') || '').includes('json');
  const body = json ? await response.json() : null;
  if (!response.ok) throw new Error((body && body.message) || `${response.status} ${response.statusText}`);
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

// Small runs use a few watt-hours and grams: pick the unit that shows three significant digits.
const energyText = (kwh) => (kwh >= 1 ? `${kwh.toPrecision(3)} kWh` : `${(kwh * 1000).toPrecision(3)} Wh`);
const co2Text = (kg) => (kg >= 1 ? `${kg.toPrecision(3)} kg` : `${(kg * 1000).toPrecision(3)} g`);

// Energy as the API reports it: measured, or the forecast of a queued run, marked as such.
function energy(r) {
  if (r.energy) return `${energyText(r.energy.totalKwh)}${r.energy.complete ? '' : ' (incomplete)'}${r.energy.final ? '' : ' (live)'}`;
  return r.forecast ? `~${energyText(r.forecast.kwh)} (forecast)` : '';
}

// Each showing of a team counts: answers that arrive after a newer one started (a quick switch) are dropped.
let showing = 0;

function clearTables() {
  for (const table of ['datasets', 'runs', 'carbon']) rows(table, [], () => []);
  $('budget').textContent = '';
}

async function showTeam(team) {
  const mine = ++showing;
  const t = encodeURIComponent(team);
  let datasets; let page; let month; let budget;
  try {
    [datasets, page, month, budget] = await Promise.all([
      api(`/teams/${t}/datasets`),
      api(`/teams/${t}/runs/search`, { method: 'POST', body: JSON.stringify({ filter: $('filter').value }) }),
      api(`/teams/${t}/carbon/summary?groupBy=month`),
      api(`/teams/${t}/carbon/budget`),
    ]);
  } catch (e) {
    if (mine === showing) $('error').textContent = e.message;
    return;
  }
  if (mine !== showing) return;
  rows('datasets', datasets, (d) => [d.name, d.latestVersion, d.createdAt]);
  rows('runs', page.runs, (r) => [r.name, r.experiment, r.status, r.startedAt,
    Object.entries(r.latestMetrics).map(([k, v]) => `${k}=${v}`).join(', '),
    energy(r), r.emissions ? `${co2Text(r.emissions.kgCo2e)} (${r.emissions.intensity.zone})` : '']);
  rows('carbon', month.groups, (g) => [g.key, energyText(g.kwh), co2Text(g.kgCo2e), g.runs]);
  $('budget').textContent = budget.state === 'NONE'
    ? `No CO2e budget; ${co2Text(budget.usedKgCo2e)} this month.`
    : `Budget ${budget.monthlyKgCo2e} kg CO2e for ${budget.month}: ${co2Text(budget.usedKgCo2e)} used (${budget.percent.toFixed(1)} %, ${budget.state}).`;
  $('error').textContent = '';
}

async function signIn() {
  // Nothing of the previous user stays on screen, whatever this sign-in turns out to be.
  showing++;
  clearTables();
  $('who').textContent = '';
  $('team').replaceChildren();
  try {
    const me = await api('/me');
    sessionStorage.setItem('canopy-token', token);
    $('who').textContent = me.user;
    $('team').replaceChildren(...me.teams.map((t) => new Option(t.name, t.name)));
    $('error').textContent = '';
    if (me.teams.length) await showTeam(me.teams[0].name);
  } catch (e) {
    $('error').textContent = e.message;
  }
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  token = $('token').value.trim();
  sessionStorage.removeItem('canopy-token');
  signIn();
});
$('team').addEventListener('change', () => showTeam($('team').value));
$('search').addEventListener('submit', (e) => {
  e.preventDefault();
  showTeam($('team').value);
});
if (token) signIn();
