// The tenant's administration page: stores, sources (write keys), API tokens, consultants, audit trail.
"use strict";

const $ = (id) => document.getElementById(id);
const text = (value) => document.createTextNode(value ?? "");

function row(cells, actions = []) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    td.append(cell instanceof Node ? cell : text(cell));
    tr.append(td);
  }
  const td = document.createElement("td");
  for (const [label, action, cls] of actions) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    if (cls) button.className = cls;
    button.addEventListener("click", action);
    td.append(button);
  }
  tr.append(td);
  return tr;
}

async function call(method, url, body) {
  $("error").textContent = "";
  const response = await fetch(url, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    const fields = problem.errors ? Object.entries(problem.errors).map(([k, v]) => `${k}: ${v.join(", ")}`).join("; ") : "";
    $("error").textContent = `${problem.title ?? response.status}${fields ? " — " + fields : problem.detail ? " — " + problem.detail : ""}`;
    throw new Error(response.status);
  }
  return response.status === 204 ? null : response.json();
}

function showSecret(label, secret) {
  $("secret").hidden = false;
  $("secret").textContent = `${label} (chỉ hiện một lần, hãy lưu lại ngay): ${secret}`;
}

const list = (value) => value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
const date = (value) => (value ? new Date(value).toLocaleString("vi-VN") : "");

async function load() {
  const admin = await call("GET", "/api/admin");
  $("stores").tBodies[0].replaceChildren(...admin.stores.map((s) =>
    row([s.code, s.name, s.address, s.region, s.openingHours, s.timeZone, s.teams.join(", ")],
      [["Xoá", () => call("DELETE", `/api/admin/stores/${encodeURIComponent(s.code)}`).then(load)]])));
  $("sources").tBodies[0].replaceChildren(...admin.sources.map((s) => {
    const keys = s.keys.map((k) => `${k.hint}${k.revoked ? " (thu hồi)" : k.notAfter ? " đến " + date(k.notAfter) : ""}`).join(", ");
    const tr = row([s.name, s.allowedOrigins.join(", ") || "(chỉ máy chủ)", s.rateLimit ? `${s.rateLimit}/${s.rateLimitPeriod}` : "mặc định", keys],
      s.revoked ? [] : [
        ["Đổi khoá", () => rotate(s.id)],
        ["Thu hồi", () => confirm(`Thu hồi mọi khoá của ${s.name}?`) && call("POST", `/api/admin/sources/${s.id}/revoke`).then(load)],
      ]);
    tr.classList.toggle("revoked", s.revoked);
    return tr;
  }));
  $("tokens").tBodies[0].replaceChildren(...admin.tokens.map((t) => {
    const tr = row([t.name, t.scopes.join(", "), t.expiresAt ? date(t.expiresAt) : "không", t.revoked ? "đã thu hồi" : "đang dùng"],
      t.revoked ? [] : [["Thu hồi", () => call("POST", `/api/admin/tokens/${t.id}/revoke`).then(load)]]);
    tr.classList.toggle("revoked", t.revoked);
    return tr;
  }));
  $("consultants").tBodies[0].replaceChildren(...admin.consultants.map((c) => {
    const team = Object.assign(document.createElement("input"), { value: c.team ?? "", placeholder: "theo tài khoản công ty", size: 10 });
    const skills = Object.assign(document.createElement("input"), { value: c.skills.join(", "), size: 16 });
    const cap = Object.assign(document.createElement("input"), { value: c.maxOpenLeads ?? "", type: "number", min: 1, size: 4 });
    return row([c.name, team, skills, cap, date(c.lastSignIn)], [["Lưu", () =>
      call("PUT", `/api/admin/consultants/${encodeURIComponent(c.id)}`,
        { team: team.value || null, skills: list(skills.value), maxOpenLeads: cap.value ? Number(cap.value) : null }).then(load)]]);
  }));
  const audit = await call("GET", "/api/admin/audit?take=50");
  $("audit").replaceChildren(...audit.map((a) => {
    const li = document.createElement("li");
    li.textContent = `${date(a.at)} · ${a.actorName} · ${a.action} · ${a.target}${a.detail ? " · " + a.detail : ""}`;
    return li;
  }));
}

async function rotate(id) {
  const hours = prompt("Khoá cũ còn dùng được thêm bao nhiêu giờ?", "24");
  if (hours === null) return;
  const overlap = new Date(Number(hours) * 3600_000).toISOString().substring(11, 19);
  const days = Math.floor(Number(hours) / 24);
  const result = await call("POST", `/api/admin/sources/${id}/rotate`, { overlap: days > 0 ? `${days}.${overlap}` : overlap });
  showSecret(`Write key mới của ${result.source.name}`, result.writeKey);
  await load();
}

$("store-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const teams = list(f.get("teams"));
  await call("PUT", `/api/admin/stores/${encodeURIComponent(f.get("code"))}`, {
    name: f.get("name"), address: f.get("address"), region: f.get("region"), openingHours: f.get("openingHours"),
    timeZone: f.get("timeZone"), teams: teams.length ? teams : null,
  });
  e.target.reset();
  await load();
});

$("source-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const result = await call("POST", "/api/admin/sources", {
    name: f.get("name"), allowedOrigins: list(f.get("allowedOrigins")), rateLimit: f.get("rateLimit") ? Number(f.get("rateLimit")) : null,
  });
  showSecret(`Write key của ${result.source.name}`, result.writeKey);
  e.target.reset();
  await load();
});

$("token-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const result = await call("POST", "/api/admin/tokens", {
    name: f.get("name"), scopes: f.getAll("scopes"), expiresAt: f.get("expiresAt") ? new Date(f.get("expiresAt")).toISOString() : null,
  });
  showSecret(`API token ${result.token.name}`, result.secret);
  e.target.reset();
  await load();
});

async function boot() {
  const session = await fetch("/me");
  const person = session.ok ? await session.json() : null;
  if (person?.roles.includes("admin")) {
    $("who-name").textContent = person.name;
    $("who-tenant").textContent = person.tenant;
    $("who").hidden = false;
    $("admin-panel").hidden = false;
    await load();
    return;
  }
  $("sign-in-panel").hidden = false;
  if (person) $("sign-in-error").textContent = "Tài khoản này không có quyền quản trị.";
  const choices = await fetch("/signin/choices").then((r) => (r.ok ? r.json() : { provider: false, demo: [] }));
  $("provider-panel").hidden = !choices.provider;
  $("demo-panel").hidden = !choices.demo.some((p) => p.id === "demo-admin");
  if (!choices.provider && $("demo-panel").hidden) $("sign-in-error").textContent = "Chưa cấu hình đăng nhập (O2O:Identity).";
}

$("sign-in-demo").addEventListener("click", async () => {
  const response = await fetch("/signin/demo", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ id: "demo-admin" }) });
  if (response.ok) location.reload();
});

boot();
