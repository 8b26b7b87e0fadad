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

// Replaces the table's rows, or adds to them (a further page of runs).
function rows(table, items, cells, append = false) {
  const tbody = $(table).querySelector('tbody');
  tbody[append ? 'append' : 'replaceChildren'](...items.map((item) => {
    const tr = document.createElement('tr');
    for (const text of cells(item)) {
      const td = document.createElement('td');
      td.textContent = text ?? '';
      tr.append(td);
    }
    return tr;
  }));
}

// Small runs use a few watt-hours and grams, a team's month maybe megawatt-hours: three significant digits in the
// unit where the rounded figure is under 1,000 (999.6 Wh is 1.00 kWh, never 1.00e+3 Wh).
function scaled(value, units) {
  let i = 0;
  let v = value;
  while (i < units.length - 1 && Math.abs(Number(v.toPrecision(3))) >= 1000) {
    v /= 1000;
    i += 1;
  }
  const digits = Math.abs(v) < 1000 ? v.toPrecision(3) : Math.round(v).toLocaleString('en');
  return `${digits} ${units[i]}`;
}
const energyText = (kwh) => scaled(kwh * 1000, ['Wh', 'kWh', 'MWh', 'GWh']);
const co2Text = (kg) => scaled(kg * 1000, ['g', 'kg', 't', 'kt']);

// Energy as the API reports it: measured, or the forecast of a queued run, marked as such.
function energy(r) {
  if (r.energy) return `${energyText(r.energy.totalKwh)}${r.energy.complete ? '' : ' (incomplete)'}${r.energy.final ? '' : ' (live)'}`;
  return r.forecast ? `~${energyText(r.forecast.kwh)} (forecast)` : '';
}

// Each showing of a team counts: answers that arrive after a newer one started (a quick switch) are dropped.
let showing = 0;
// What is on screen: the team, and the search behind its runs with the token of their next page.
let runsShown = null;

function clearTables() {
  for (const table of ['datasets', 'runs', 'carbon']) rows(table, [], () => []);
  $('budget').textContent = '';
  $('unmeasured').textContent = '';
  runsShown = null;
  $('more').hidden = true;
}

function runRows(runs, append) {
  rows('runs', runs, (r) => [r.name, r.experiment, r.status, r.startedAt,
    Object.entries(r.latestMetrics).map(([k, v]) => `${k}=${v}`).join(', '),
    energy(r), r.emissions ? `${co2Text(r.emissions.kgCo2e)} (${r.emissions.intensity.zone})` : ''], append);
}

const searchRuns = (team, filter, pageToken) => api(`/teams/${encodeURIComponent(team)}/runs/search`,
  { method: 'POST', body: JSON.stringify(pageToken ? { filter, pageToken } : { filter }) });

async function showTeam(team) {
  const mine = ++showing;
  const t = encodeURIComponent(team);
  const filter = $('filter').value;
  // Another team's data never stays under this team's name, should its answers fail.
  if (team !== runsShown?.team) clearTables();
  let datasets; let page; let month; let budget;
  try {
    [datasets, page, month, budget] = await Promise.all([
      api(`/teams/${t}/datasets`),
      searchRuns(team, filter),
      api(`/teams/${t}/carbon/summary?groupBy=month`),
      api(`/teams/${t}/carbon/budget`),
    ]);
  } catch (e) {
    if (mine === showing) $('error').textContent = e.message;
    return;
  }
  if (mine !== showing) return;
  rows('datasets', datasets, (d) => [d.name, d.latestVersion, d.createdAt]);
  runRows(page.runs, false);
  runsShown = { team, filter, next: page.nextPageToken };
  $('more').hidden = !page.nextPageToken;
  rows('carbon', month.groups, (g) => [g.key, energyText(g.kwh), co2Text(g.kgCo2e), g.runs]);
  $('unmeasured').textContent = month.unmeasuredRuns > 0
    ? `${month.unmeasuredRuns} run(s) had a part that could not be measured: these totals are lower bounds.`
    : '';
  $('budget').textContent = budget.state === 'NONE'
    ? `No CO2e budget; ${co2Text(budget.usedKgCo2e)} this month.`
    : `Budget ${budget.monthlyKgCo2e} kg CO2e for ${budget.month}: ${co2Text(budget.usedKgCo2e)} used (${budget.percent.toFixed(1)} %, ${budget.state}).`;
  $('error').textContent = '';
}

// The next page of the runs on screen, added below them.
async function moreRuns() {
  const mine = showing;
  const shown = runsShown;
  if (!shown || !shown.next) return;
  // Taken while it loads: a second click does not add the same page again.
  const next = shown.next;
  shown.next = null;
  $('more').hidden = true;
  let page;
  try {
    page = await searchRuns(shown.team, shown.filter, next);
  } catch (e) {
    if (mine === showing && shown === runsShown) {
      $('error').textContent = e.message;
      shown.next = next;
      $('more').hidden = false;
    }
    return;
  }
  if (mine !== showing || shown !== runsShown) return;
  runRows(page.runs, true);
  shown.next = page.nextPageToken;
  $('more').hidden = !page.nextPageToken;
}

async function signIn() {
  // Nothing of the previous user stays on screen, whatever this sign-in turns out to be; and an answer to an
  // earlier sign-in that arrives late is dropped.
  const mine = ++showing;
  clearTables();
  $('who').textContent = '';
  $('team').replaceChildren();
  try {
    const me = await api('/me');
    if (mine !== showing) return;
    sessionStorage.setItem('canopy-token', token);
    $('who').textContent = me.user;
    $('team').replaceChildren(...me.teams.map((t) => new Option(t.name, t.name)));
    $('error').textContent = '';
    if (me.teams.length) await showTeam(me.teams[0].name);
  } catch (e) {
    if (mine === showing) $('error').textContent = e.message;
  }
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  token = $('token').value.trim();
  sessionStorage.removeItem('canopy-token');
  signIn();
});
$('team').addEventListener('change', () => showTeam($('team').value));
$('more').addEventListener('click', () => moreRuns());
$('search').addEventListener('submit', (e) => {
  e.preventDefault();
  showTeam($('team').value);
});
if (token) signIn();
