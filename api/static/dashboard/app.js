// The brand analytics page: sign-in, filters, and the report of GET /dashboard/api/v1/brand-analytics/scans.
import { ApiProblem, getJson, postJson } from "./client.js";
import * as pkce from "./pkce.js";

const SCANS = "/dashboard/api/v1/brand-analytics/scans";
const TOP = 20;
const TOP_AGENTS = 10;
const TOKEN_KEY = "sa.token";
const HIGH_BOT_SHARE = 0.2;
const $ = (id) => document.getElementById(id);
const redirectUri = () => `${location.origin}${location.pathname}`;

// What the page shows, for people and for the browser test.
const view = (window.__dashboard = { state: "starting", query: null, response: null, loadMs: null });
const app = { config: null, token: null, orgs: [], charts: {}, seq: 0 };

function setStatus(state, message, action) {
  view.state = state;
  const box = $("status");
  box.dataset.state = state;
  box.textContent = message || "";
  if (action) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = action.label;
    button.addEventListener("click", action.run);
    box.append(button);
  }
}

function showSignIn(show) {
  $("sign-in").hidden = !show;
  $("filters").hidden = show;
  $("sign-out").hidden = show;
  if (show) $("report").hidden = true;
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  app.token = null;
  $("user").textContent = "";
  showSignIn(true);
  setStatus(message ? "error" : "signed-out", message || "");
}

function fail(error) {
  if (!(error instanceof ApiProblem)) error = new ApiProblem("error", String(error.message || error), 0);
  view.error = { kind: error.kind, status: error.status };
  if (error.kind === "expired" || error.kind === "unauthorized") {
    signOut(error.message);
    return;
  }
  $("report").hidden = true;
  setStatus("error", error.message, { label: "Retry", run: load });
}

// --- sign-in ---------------------------------------------------------------------------------------

async function setUpSignIn() {
  const { config } = app;
  if (config.dev_sign_in) {
    const members = await getJson("/dashboard/dev/members");
    const select = $("dev-user");
    select.replaceChildren(...members.map((m) =>
      new Option(`${m.user_id} (${m.organizations.join(", ")})`, m.user_id)));
    $("dev-sign-in").hidden = false;
    $("dev-go").onclick = async () => {
      try {
        const minted = await postJson("/dashboard/dev/token", { user_id: select.value });
        await start(minted.access_token);
      } catch (e) { fail(e); }
    };
  }
  if (config.oauth) {
    $("oauth-sign-in").hidden = false;
    $("oauth-go").onclick = async () => { location.assign(await pkce.begin(config.oauth, redirectUri())); };
  }
  $("token-go").onclick = () => start($("token-input").value.trim());
}

async function finishOAuth() {
  const params = new URLSearchParams(location.search);
  if (!app.config.oauth || !(params.has("code") || params.has("error"))) return;
  history.replaceState(null, "", location.pathname);
  const token = await pkce.complete(app.config.oauth, params, redirectUri());
  sessionStorage.setItem(TOKEN_KEY, token);
}

async function start(token) {
  if (!token) return;
  app.token = token;
  sessionStorage.setItem(TOKEN_KEY, token);
  setStatus("loading", "Loading your organizations…");
  let me;
  try {
    me = await getJson("/dashboard/api/v1/me", token);
  } catch (e) { fail(e); return; }
  app.orgs = me.organizations;
  $("user").textContent = `Signed in as ${me.user_id}`;
  showSignIn(false);
  if (!app.orgs.length) {
    setStatus("error", `No membership: user ${me.user_id} is not a member of any organization. ` +
      "Ask an administrator to add you (scan-analytics members add).");
    view.error = { kind: "membership", status: 0 };
    return;
  }
  const org = $("org");
  org.replaceChildren(...app.orgs.map((o) => new Option(o.organization_id, o.organization_id)));
  org.value = (app.orgs.find((o) => o.is_default) || app.orgs[0]).organization_id;
  $("org-field").hidden = app.orgs.length < 2;
  fillBrands();
  await load();
}

// --- filters ---------------------------------------------------------------------------------------

function fillBrands() {
  const org = app.orgs.find((o) => o.organization_id === $("org").value);
  const brands = org ? org.brands : [];
  $("brand").replaceChildren(new Option("All brands", ""), ...brands.map((b) => new Option(b.name, b.brand_id)));
}

function minusDays(iso, days) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

function query() {
  const params = new URLSearchParams({
    organization_id: $("org").value, top: String(TOP), top_agents: String(TOP_AGENTS),
  });
  if ($("brand").value) params.set("brand_id", $("brand").value);
  const choice = $("window").value;
  if (choice === "custom") {
    if ($("since").value) params.set("since", $("since").value);
    if ($("until").value) params.set("until", $("until").value);
  } else {
    // the API's own convention: "last N days" is since = until - N days, both inclusive
    params.set("since", minusDays(app.config.today, Number(choice)));
    params.set("until", app.config.today);
  }
  return params;
}

// --- the report ------------------------------------------------------------------------------------

async function load() {
  const seq = ++app.seq;
  const params = query();
  view.query = Object.fromEntries(params);
  setStatus("loading", "Loading scans…");
  const started = performance.now();
  let report;
  try {
    report = await getJson(`${SCANS}?${params}`, app.token);
  } catch (e) {
    if (seq === app.seq) {
      fail(e);
      window.__loads = (window.__loads || 0) + 1;
    }
    return;
  }
  if (seq !== app.seq) return; // a newer choice is on its way
  view.response = report;
  render(report);
  window.__loads = (window.__loads || 0) + 1;
  view.loadMs = performance.now() - started;
  if (report.total_scans === 0) {
    setStatus("empty", `No scans yet for ${report.organization_id}` +
      `${params.get("brand_id") ? ` (brand ${$("brand").selectedOptions[0].text})` : ""} ` +
      `between ${report.window.since} and ${report.window.until}. Scans appear here once the ` +
      "resolver publishes them and the pipeline has counted them.");
  } else {
    setStatus("ready", "");
  }
}

const pairs = (dict, n) => Object.entries(dict).slice(0, n).map(([k, v]) => `${k} ${v}`).join(" · ");

function render(report) {
  $("report").hidden = report.total_scans === 0;
  $("window-label").textContent =
    `${report.organization_id} · ${report.window.since} to ${report.window.until} (UTC days, inclusive)`;
  $("total").textContent = String(report.total_scans);
  $("billable").textContent = String(report.billable_scans);
  $("bots").textContent = String(report.bot_scans);
  $("humans").textContent = String(report.human_scans);
  $("agents").textContent = String(report.agent_scans);
  const rows = report.top_products.map((p) => {
    const tr = document.createElement("tr");
    const bots = p.scans - p.billable_scans;
    const cells = [p.gtin, p.product_name ?? "—", p.brand ?? "—", p.scans, p.billable_scans, bots,
      p.by_traffic_class.ai_agent, pairs(p.by_country, 3), pairs(p.by_device, 4)];
    cells.forEach((value, i) => {
      const td = document.createElement("td");
      td.textContent = String(value);
      if (i >= 3 && i <= 6) td.className = "num";
      if (i === 5 && p.scans > 0 && bots / p.scans > HIGH_BOT_SHARE) {
        td.classList.add("bots-high");
        td.title = "a high share of bot scans: scrapers or agents are interested in this product";
      }
      tr.append(td);
    });
    tr.dataset.gtin = p.gtin;
    return tr;
  });
  $("products").tBodies[0].replaceChildren(...rows);
  $("agents-table").tBodies[0].replaceChildren(...report.top_agents.map(agentRow));
  const devices = {};
  for (const p of report.top_products) {
    for (const [k, v] of Object.entries(p.by_device)) devices[k] = (devices[k] || 0) + v;
  }
  chart("by-day", "line", report.by_day.map((d) => d.date), report.by_day.map((d) => d.scans));
  chart("by-country", "bar", Object.keys(report.by_country), Object.values(report.by_country));
  chart("by-device", "bar", Object.keys(devices), Object.values(devices));
}

function agentRow(a) {
  const tr = document.createElement("tr");
  [a.name, a.category, a.operator, a.verification, a.traffic_class, a.scans].forEach((value, i) => {
    const td = document.createElement("td");
    td.textContent = String(value ?? "—");
    if (i === 5) td.className = "num";
    if (i === 3 && value === "spoofed") {
      td.className = "spoofed";
      td.title = "claims to be this agent from an address outside its operator's published ranges";
    }
    tr.append(td);
  });
  return tr;
}

function chart(id, type, labels, values) {
  if (!window.Chart) return; // the library failed to load: the numbers above still stand
  app.charts[id]?.destroy();
  app.charts[id] = new window.Chart($(id), {
    type,
    data: { labels, datasets: [{ label: "scans", data: values, borderColor: "#1565c0",
      backgroundColor: type === "line" ? "rgba(21,101,192,.15)" : "#1565c0", fill: type === "line",
      tension: 0.2, pointRadius: labels.length > 60 ? 0 : 2 }] },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

// --- start -----------------------------------------------------------------------------------------

async function main() {
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  $("org").addEventListener("change", () => { fillBrands(); load(); });
  $("brand").addEventListener("change", load);
  $("window").addEventListener("change", () => {
    const custom = $("window").value === "custom";
    $("custom").hidden = !custom;
    if (custom) {
      $("since").value = $("since").value || minusDays(app.config.today, 30);
      $("until").value = $("until").value || app.config.today;
    } else {
      load();
    }
  });
  $("sign-out").addEventListener("click", () => signOut());
  try {
    app.config = await getJson("/dashboard/api/v1/config");
    await finishOAuth();
    await setUpSignIn();
  } catch (e) { fail(e); return; }
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) {
    await start(token);
  } else {
    showSignIn(true);
    setStatus("signed-out", "");
  }
}

main();
