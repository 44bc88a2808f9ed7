// The consultant's live lead queue: signs in, connects to /hubs/leads and keeps the team's open leads on
// screen. Cards are created once per lead and updated in place, so what a consultant types, selects or
// focuses survives every live update; the card being worked on never moves.
"use strict";

const stages = { None: "Chưa rõ", Aware: "Đã thấy quảng cáo", Visited: "Đã vào web", Engaged: "Quan tâm", Contacted: "Đã liên hệ", StoreVisited: "Đã đến cửa hàng", Purchased: "Đã mua" };
const triggers = { HotScore: "Điểm cao", Contact: "Vừa liên hệ", StoreCheckIn: "Đang ở cửa hàng", NurtureClick: "Bấm tin nhắn chăm sóc" };
const reasons = { PageViews: "xem nhiều trang", ProductInterest: "quan tâm sản phẩm", PricingInterest: "xem bảng giá", CartIntent: "thêm giỏ hàng", TimeOnSite: "ở lâu trên web", Contact: "đã liên hệ", StoreVisit: "đến cửa hàng", Purchase: "đã mua", ConsultantOutcome: "kết quả tư vấn" };
const statuses = { Waiting: "Đang chờ tư vấn viên", Offered: "Đang mời", Escalated: "Chuyển quản lý", Claimed: "Đã nhận", Closed: "Đã đóng" };
const outcomes = { Contacted: "Đã liên hệ", AppointmentBooked: "Đã hẹn lịch", VisitedStore: "Đã đến cửa hàng", Purchased: "Đã mua", Lost: "Không thành công" };
const segments = { new: "Khách mới", anonymous: "Chưa định danh", potential: "Tiềm năng (chưa mua)", buyer: "Đã từng mua", loyal: "Khách quen" };
const historyTypes = { Track: "Hoạt động", Identify: "Để lại thông tin", Page: "Xem trang", Screen: "Xem màn hình", Alias: "Liên kết", CheckIn: "Đến cửa hàng", Order: "Đơn hàng" };

const PageSize = 30;
const StaleAfterMs = 2 * 60 * 60 * 1000;
const ClosedKeptMs = 60 * 1000;
const RemindBeforeMs = 15 * 60 * 1000;
const baseTitle = document.title;

/** leadId -> { lead, node, closedAt } */
const cards = new Map();
const revealed = new Map();
const reminded = new Set(JSON.parse(sessionStorage.getItem("o2o-reminded") ?? "[]"));
let names = { stores: {}, campaigns: {}, channels: {}, products: {} };
let me = null;
let session = null;
let connection = null;
let tab = "store";
let shown = PageSize;
let skewMs = 0;
let teamStats = [];
let audio = null;
let retryTimer = null;
let retryAttempt = 0;

const $ = (id) => document.getElementById(id);

// ---------- sign-in ----------

async function loadConsultants(provider) {
  const response = await fetch("/consultant/demo");
  if (!response.ok) {
    $("consultant").hidden = $("sign-in").hidden = true;
    if (!provider) $("sign-in-error").textContent = "Chưa cấu hình đăng nhập (O2O:Identity).";
    return;
  }
  for (const c of await response.json()) {
    const option = document.createElement("option");
    option.value = c.id;
    option.textContent = `${c.name} · ${c.team}${c.role === "Manager" ? " · quản lý" : ""}`;
    $("consultant").append(option);
  }
}

async function signIn() {
  $("sign-in-error").textContent = "";
  unlockAlerts();
  let response;
  try {
    response = await fetch("/consultant/sign-in", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ consultantId: $("consultant").value }),
    });
  } catch {
    $("sign-in-error").textContent = "Không có mạng: chưa đăng nhập được. Thử lại khi có mạng.";
    return;
  }
  if (!response.ok) {
    $("sign-in-error").textContent = "Không đăng nhập được: tư vấn viên không hợp lệ.";
    return;
  }
  const s = await response.json();
  sessionStorage.setItem("o2o-consultant", JSON.stringify(s));
  await start(s);
}

function signOut() {
  sessionStorage.removeItem("o2o-consultant");
  sessionStorage.removeItem("o2o-reminded");
  connection?.stop();
  if (!me?.viaCookie) { location.reload(); return; }
  // Signed in through the identity provider: end the server session too.
  const form = document.createElement("form");
  form.method = "post";
  form.action = "/signout?returnUrl=/consultant/index.html";
  document.body.append(form);
  form.submit();
}

// ---------- connection ----------

async function start(s) {
  session = s;
  me = s.consultant;
  $("who-name").textContent = me.name;
  $("who-team").textContent = me.team;
  $("who").hidden = false;
  $("sign-in-panel").hidden = true;
  $("feed-panel").hidden = false;
  $("tab-manager").hidden = me.role !== "Manager";
  $("enable-alerts").hidden = !("Notification" in window) || Notification.permission !== "default";

  connection = new signalR.HubConnectionBuilder()
    // Signed in through the company's identity provider, the session cookie goes with the connection.
    .withUrl("/hubs/leads", session.token ? { accessTokenFactory: () => session.token } : {})
    // Never give up: back off to 30 s between attempts, with jitter so a store's phones do not retry in step.
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => backoff(ctx.previousRetryCount) })
    .build();
  connection.serverTimeoutInMilliseconds = 15000;
  connection.keepAliveIntervalInMilliseconds = 5000;
  connection.on("OpenLeads", (open) => { sync(open); render(); });
  for (const kind of ["LeadOffered", "LeadClaimed", "LeadReassigned", "LeadClosed", "LeadUpdated"]) {
    connection.on(kind, (lead) => { upsert(lead); render(); });
  }
  connection.onreconnecting(() => setConnection("reconnecting"));
  connection.onreconnected(() => { retryAttempt = 0; setConnection("online"); afterConnect(); });
  connection.onclose(() => { setConnection("offline"); scheduleRetry(); });
  render();
  await connect();
}

function backoff(attempt) {
  return Math.min(30000, 1000 * 2 ** Math.min(attempt, 5)) + Math.floor(Math.random() * 1000);
}

async function connect() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (!connection || connection.state !== signalR.HubConnectionState.Disconnected) return;
  if (!navigator.onLine) { setConnection("offline"); scheduleRetry(); return; }
  setConnection("connecting");
  try {
    await connection.start();
    retryAttempt = 0;
    setConnection("online");
    await afterConnect();
  } catch (e) {
    if (/401|403/.test(String(e?.message))) {
      setConnection("expired");
      return;
    }
    setConnection("offline");
    scheduleRetry();
  }
}

function scheduleRetry() {
  if (retryTimer || !connection) return;
  const wait = backoff(retryAttempt++);
  retryTimer = setTimeout(() => { retryTimer = null; connect(); }, wait);
  setConnection("offline", wait);
}

async function retryNow() {
  clearTimeout(retryTimer);
  retryTimer = null;
  retryAttempt = 0;
  if (connection.state === signalR.HubConnectionState.Connected) {
    // The browser says the network is back; prove the connection still carries calls.
    try { await connection.invoke("ServerTime"); setConnection("online"); return; } catch { await connection.stop(); }
  }
  if (connection.state === signalR.HubConnectionState.Disconnected) await connect();
}

async function afterConnect() {
  try {
    const [serverNow, n] = await Promise.all([connection.invoke("ServerTime"), connection.invoke("Names")]);
    skewMs = Date.parse(serverNow) - Date.now();
    names = n;
    if (me.role === "Manager") await loadStats();
    for (const c of cards.values()) update(c);
    render();
  } catch { /* the connection state handlers say what happened */ }
}

const connectionTexts = {
  connecting: "đang kết nối…",
  online: "trực tuyến",
  reconnecting: "đang kết nối lại…",
  offline: "mất kết nối",
  expired: "phiên đăng nhập hết hạn",
};

function setConnection(state, retryInMs) {
  const live = state === "online" && navigator.onLine;
  const shownState = state === "online" && !navigator.onLine ? "offline" : state;
  document.body.dataset.conn = live ? "online" : shownState;
  $("connection").textContent = connectionTexts[shownState];
  $("banner").hidden = live || shownState === "connecting";
  $("banner-text").textContent = shownState === "expired"
    ? "Phiên đăng nhập đã hết hạn. Hãy đăng xuất rồi đăng nhập lại."
    : !navigator.onLine
      ? "Mất mạng. Các thao tác tạm khoá; trang sẽ tự kết nối lại khi có mạng."
      : `Mất kết nối tới máy chủ. Các thao tác tạm khoá; đang tự thử lại${retryInMs ? ` sau ${Math.ceil(retryInMs / 1000)} giây` : ""}.`;
  $("retry").hidden = shownState === "expired";
  for (const b of document.querySelectorAll("[data-live]")) b.disabled = !live;
}

function online() { return document.body.dataset.conn === "online"; }

/** What went wrong with an action, in words the consultant can act on. */
function explain(e) {
  if (!online()) return "Mất kết nối: chưa gửi được. Thao tác sẽ mở lại khi có kết nối.";
  const m = /HubException: (.*)$/s.exec(e?.message ?? "");
  return m ? m[1] : "Máy chủ chưa xử lý được yêu cầu này. Hãy thử lại.";
}

// ---------- leads ----------

function sync(open) {
  const ids = new Set(open.map((l) => l.leadId));
  for (const [id, c] of cards) {
    if (!ids.has(id) && !working(c)) { c.node.remove(); cards.delete(id); }
  }
  open.forEach(upsert);
}

function upsert(lead) {
  let c = cards.get(lead.leadId);
  const wasOfferedToMe = c ? offeredToMe(c.lead) && c.lead.offeredAt === lead.offeredAt : false;
  if (!c) {
    c = { lead, node: create(lead.leadId), closedAt: null };
    cards.set(lead.leadId, c);
  }
  c.lead = lead;
  c.closedAt = lead.status === "Closed" ? (c.closedAt ?? Date.now()) : null;
  update(c);
  if (offeredToMe(lead) && !wasOfferedToMe) announce(lead);
}

const offeredToMe = (l) => me && l.offeredTo === me.id && (l.status === "Offered" || l.status === "Escalated");
const mine = (l) => me && l.claimedBy === me.id && l.status !== "Closed";
const bought = (l) => l.stage === "Purchased" || l.segment === "buyer" || l.segment === "loyal";
const stale = (l) => l.status !== "Claimed" && now() - Date.parse(l.raisedAt) > StaleAfterMs;
const now = () => Date.now() + skewMs;

/** A card someone is typing in, has focused, or has chosen an outcome on stays where it is. */
function working(c) {
  const n = c.node;
  return n.contains(document.activeElement) && document.activeElement !== document.body
    || n.querySelector(".lost-reason").value !== ""
    || n.querySelector(".note-text").value !== ""
    || n.querySelector(".appointment-at").value !== "";
}

function inTab(l) {
  if (l.status === "Closed") return false;
  switch (tab) {
    case "offers": return false;
    case "mine": return mine(l);
    // The manager sees who holds what: every lead offered to or claimed by someone.
    case "manager": return l.status === "Claimed" || l.status === "Offered" || l.status === "Escalated";
    default: return true;
  }
}

function matches(c) {
  const q = $("search").value.trim().toLowerCase();
  if (!q) return true;
  const l = c.lead;
  const digits = q.replace(/\D/g, "");
  return [l.name, l.interest && product(l.interest), l.lastAd?.campaign && campaign(l.lastAd.campaign), l.leadId]
    .some((t) => t && t.toLowerCase().includes(q))
    || (digits.length >= 3 && (l.maskedPhone ?? "").replace(/\D/g, "").includes(digits))
    || (revealed.get(l.leadId) ?? "").includes(digits || "\u0000");
}

function holder(l) {
  const id = l.status === "Claimed" ? l.claimedBy : l.offeredTo;
  return l.status === "Claimed" ? l.claimedByName ?? id : teamStats.find((s) => s.consultantId === id)?.name ?? id ?? "";
}

function order(a, b) {
  if (tab === "manager") return holder(a).localeCompare(holder(b), "vi") || Date.parse(a.raisedAt) - Date.parse(b.raisedAt);
  const rank = (l) => mine(l) ? 0 : l.status === "Escalated" ? 1 : l.status === "Waiting" || l.status === "Offered" ? 2 : 3;
  return rank(a) - rank(b) || (b.score >= 60) - (a.score >= 60) || Date.parse(b.raisedAt) - Date.parse(a.raisedAt);
}

function render() {
  if (!me) return;
  const all = [...cards.values()];
  // Closed cards stay a minute (so the consultant sees what happened), longer while worked on.
  for (const c of all) {
    if (c.closedAt && Date.now() - c.closedAt > ClosedKeptMs && !working(c)) { c.node.remove(); cards.delete(c.lead.leadId); }
  }
  const live = [...cards.values()];
  const offers = live.filter((c) => offeredToMe(c.lead)).sort((a, b) => Date.parse(a.lead.offerExpiresAt ?? 0) - Date.parse(b.lead.offerExpiresAt ?? 0));
  const showAll = $("show-all").checked;
  let hidden = 0;
  const listed = live.filter((c) => {
    if (offeredToMe(c.lead) && tab !== "manager") return false;
    if (c.lead.status === "Closed") return c.node.parentElement === $("leads");
    if (!inTab(c.lead) || !matches(c)) return false;
    if (!showAll && tab !== "manager" && !mine(c.lead) && (bought(c.lead) || stale(c.lead))) { hidden++; return false; }
    return true;
  }).sort((a, b) => order(a.lead, b.lead));

  place($("offers"), tab === "manager" ? [] : offers);
  place($("leads"), listed.slice(0, shown));
  $("offers-title").hidden = offers.length === 0 || tab === "manager";
  $("more").hidden = listed.length <= shown;
  $("more").textContent = `Xem thêm (${listed.length - shown} khách nữa)`;
  $("hidden-count").textContent = hidden > 0 && tab !== "manager" ? `${hidden} khách đã mua hoặc đã cũ đang ẩn.` : "";
  $("empty").hidden = offers.length + listed.length > 0;
  $("manager-panel").hidden = tab !== "manager";
  $("count-offers").textContent = offers.length;
  $("count-mine").textContent = live.filter((c) => mine(c.lead)).length;
  $("count-store").textContent = live.filter((c) => c.lead.status !== "Closed").length;
  document.title = offers.length > 0 ? `(${offers.length}) ${baseTitle}` : baseTitle;
  for (const b of document.querySelectorAll("[role=tab]")) b.setAttribute("aria-selected", String(b.dataset.tab === tab));
  if (tab === "manager") renderStats();
}

/**
 * Puts exactly <wanted> into <list> in that order, touching only nodes out of place. A card being
 * worked on is never moved or removed: the others are arranged around it.
 */
function place(list, wanted) {
  const kept = [...list.children].filter((n) => { const c = cards.get(n.dataset.leadId); return c && working(c); });
  const want = wanted.map((c) => c.node).filter((n) => !kept.includes(n));
  for (const k of kept) {
    const at = Math.min([...list.children].indexOf(k), want.length);
    want.splice(at, 0, k);
  }
  const wantSet = new Set(want);
  for (const n of [...list.children]) if (!wantSet.has(n)) n.remove();
  for (let i = 0; i < want.length; i++) {
    const here = list.children[i];
    if (here === want[i]) continue;
    if (kept.includes(want[i]) && here) { list.append(here); i--; continue; }
    list.insertBefore(want[i], here ?? null);
  }
}

// ---------- one card ----------

function create(leadId) {
  const node = $("lead-template").content.firstElementChild.cloneNode(true);
  node.dataset.leadId = leadId;
  const q = (s) => node.querySelector(s);
  const uid = `l-${leadId}`;
  q(".outcome").id = `${uid}-outcome`;
  q(".claim").addEventListener("click", () => claim(leadId));
  q(".decline").addEventListener("click", () => act(leadId, () => connection.invoke("DeclineLead", leadId), "Đã bỏ qua, khách chuyển cho người khác."));
  q(".outcome").addEventListener("change", () => update(cards.get(leadId)));
  q(".record").addEventListener("click", () => record(leadId));
  q(".reveal").addEventListener("click", () => reveal(leadId));
  q(".add-note").addEventListener("click", () => addNote(leadId));
  q(".reassign").addEventListener("click", () => reassign(leadId));
  q(".more").addEventListener("toggle", () => { if (q(".more").open) loadHistory(leadId); });
  for (const b of node.querySelectorAll("[data-live]")) b.disabled = !online();
  return node;
}

function update(c) {
  const { lead, node } = c;
  const q = (s) => node.querySelector(s);
  const set = (s, text) => { const e = q(s); text = text ?? ""; if (e.textContent !== String(text)) e.textContent = text; };
  const toMe = offeredToMe(lead);
  const isMine = lead.claimedBy === me.id;
  const open = lead.status !== "Closed";
  node.classList.toggle("hot", lead.score >= 60);
  node.classList.toggle("offer", toMe);
  node.classList.toggle("mine", isMine && open);
  node.classList.toggle("claimed", lead.status === "Claimed");
  node.classList.toggle("closed", !open);
  node.classList.toggle("escalated", lead.status === "Escalated");
  set(".score", lead.score);
  set(".name", lead.name ?? "Khách chưa để lại tên");
  set(".phone", lead.maskedPhone ?? (lead.team === "online" ? "chưa có số · liên hệ qua chat trên web" : "chưa có số"));
  set(".status", statusText(lead, toMe));
  set(".age", `Khách từ ${ago(lead.raisedAt)}`);
  set(".appointment", lead.appointmentAt ? `Hẹn lúc ${when(lead.appointmentAt)}` : "");
  set(".stage", stages[lead.stage] ?? lead.stage);
  set(".trigger", triggers[lead.trigger] ?? lead.trigger);
  set(".reasons", (lead.reasons ?? []).map((r) => reasons[r] ?? r).join(", "));
  const touches = [];
  if (lead.lastAd) touches.push(`Quảng cáo: ${[channel(lead.lastAd.source), lead.lastAd.campaign && campaign(lead.lastAd.campaign), lead.lastAd.content].filter(Boolean).join(" · ")}`);
  if (lead.lastPages?.length) touches.push(`Đã xem: ${lead.lastPages.map(page).join(", ")}`);
  if (lead.lastStoreId) touches.push(`Cửa hàng: ${store(lead.lastStoreId)}`);
  if (lead.masterChannel) touches.push(`Kênh hiệu quả nhất: ${masterChannels[lead.masterChannel] ?? lead.masterChannel}`);
  set(".touches", touches.join(" · "));
  set(".interest", [lead.interest && `Quan tâm: ${product(lead.interest)}`, segments[lead.segment] ?? lead.segment].filter(Boolean).join(" · "));
  set(".script", lead.script?.text ?? "");
  tick(c);

  q(".claim").hidden = !open || lead.status === "Claimed";
  q(".decline").hidden = !(toMe && lead.status === "Offered");
  q(".outcome-form").hidden = !(open && (isMine || (me.role === "Manager" && lead.status === "Claimed")));
  const outcome = q(".outcome").value;
  q(".lost-label").hidden = outcome !== "Lost";
  q(".appointment-label").hidden = outcome !== "AppointmentBooked";
  q(".contact").hidden = !(open && isMine);
  const phone = revealed.get(lead.leadId);
  q(".reveal").hidden = !!phone || !lead.maskedPhone;
  set(".phone-full", phone ? local(phone) : "");
  q(".call").hidden = q(".zalo").hidden = !phone;
  if (phone) { q(".call").href = `tel:${phone}`; q(".zalo").href = `https://zalo.me/${local(phone)}`; }
  const reassign = q(".reassign-form");
  reassign.hidden = !(open && me.role === "Manager" && teamStats.length > 0);
  if (!reassign.hidden) {
    const select = q(".reassign-to");
    const ids = teamStats.map((s) => s.consultantId).join();
    if (select.dataset.ids !== ids) {
      const chosen = select.value;
      select.replaceChildren(...teamStats.map((s) => new Option(`${s.name}${s.online ? "" : " (vắng)"}`, s.consultantId)));
      select.dataset.ids = ids;
      if (chosen) select.value = chosen;
    }
  }
  const notes = q(".notes");
  if (notes.childElementCount !== (lead.notes ?? []).length) {
    notes.replaceChildren(...(lead.notes ?? []).map((n) => {
      const li = document.createElement("li");
      li.textContent = `${when(n.at)} · ${n.consultantName}: ${n.text}`;
      return li;
    }));
  }
}

/** The live parts of a card: its age, the offer countdown and the appointment reminder. */
function tick(c) {
  const { lead, node } = c;
  const cd = node.querySelector(".countdown");
  let text = "";
  node.classList.remove("urgent");
  if (offeredToMe(lead) && lead.status === "Offered" && lead.offerExpiresAt) {
    const left = Math.ceil((Date.parse(lead.offerExpiresAt) - now()) / 1000);
    if (left > 0) {
      text = `Còn ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")} để nhận`;
      node.classList.toggle("urgent", left <= 30);
    } else {
      text = "Hết giờ: đang chuyển cho người khác";
    }
  }
  if (cd.textContent !== text) cd.textContent = text;
  const age = `Khách từ ${ago(lead.raisedAt)}`;
  const ageNode = node.querySelector(".age");
  if (ageNode.textContent !== age) ageNode.textContent = age;
  if (lead.appointmentAt && lead.claimedBy === me.id && lead.status !== "Closed") {
    const due = Date.parse(lead.appointmentAt) - now();
    const key = `${lead.leadId}@${lead.appointmentAt}`;
    if (due <= RemindBeforeMs && due > -RemindBeforeMs && !reminded.has(key)) {
      reminded.add(key);
      sessionStorage.setItem("o2o-reminded", JSON.stringify([...reminded]));
      const msg = `Sắp đến giờ hẹn với ${lead.name ?? "khách"} lúc ${when(lead.appointmentAt)}.`;
      node.querySelector(".card-notice").textContent = msg;
      notify("Nhắc lịch hẹn", msg);
    }
  }
}

function statusText(lead, toMe) {
  if (lead.status === "Claimed") return lead.claimedBy === me.id ? "Bạn đã nhận" : `${lead.claimedByName} đã nhận`;
  if (lead.status === "Closed") return `Đã đóng${lead.outcome ? ": " + (outcomes[lead.outcome] ?? lead.outcome) : ""}`;
  if (toMe) return lead.status === "Escalated" ? "Chuyển cho bạn (quản lý)" : "Mời bạn nhận";
  if (lead.status === "Offered" && me.role === "Manager") return `Đang mời ${holder(lead)}`;
  if (lead.outcome) return `${statuses[lead.status] ?? lead.status} · ${outcomes[lead.outcome]}`;
  return statuses[lead.status] ?? lead.status;
}

// ---------- actions ----------

function feedback(leadId, error, notice) {
  const c = cards.get(leadId);
  if (!c) { $("notice").textContent = error || notice || ""; return; }
  c.node.querySelector(".card-error").textContent = error ?? "";
  c.node.querySelector(".card-notice").textContent = notice ?? "";
}

async function act(leadId, call, done) {
  if (!online()) { feedback(leadId, explain()); return null; }
  feedback(leadId, "", "");
  try {
    const result = await call();
    if (done) feedback(leadId, "", done);
    return result ?? true;
  } catch (e) {
    feedback(leadId, explain(e));
    return null;
  }
}

async function claim(leadId) {
  const result = await act(leadId, () => connection.invoke("ClaimLead", leadId));
  if (!result) return;
  const text = result.won ? "Bạn đã nhận khách này." : result.winnerName ? `${result.winnerName} đã nhận trước.` : result.error;
  $("notice").textContent = text;
  feedback(leadId, result.won ? "" : text, result.won ? text : "");
}

async function record(leadId) {
  const node = cards.get(leadId).node;
  const outcome = node.querySelector(".outcome").value;
  const reasonInput = node.querySelector(".lost-reason");
  const atInput = node.querySelector(".appointment-at");
  if (outcome === "Lost" && !reasonInput.value.trim()) {
    feedback(leadId, "Hãy ghi lý do khách không thành công.");
    reasonInput.focus();
    return;
  }
  if (outcome === "AppointmentBooked" && !atInput.value) {
    feedback(leadId, "Hãy chọn ngày giờ hẹn.");
    atInput.focus();
    return;
  }
  const call = outcome === "AppointmentBooked"
    ? () => connection.invoke("BookAppointment", leadId, new Date(atInput.value).toISOString())
    : () => connection.invoke("RecordOutcome", leadId, outcome, reasonInput.value.trim() || null);
  const lead = await act(leadId, call, "Đã ghi kết quả.");
  if (lead && lead !== true) {
    reasonInput.value = "";
    atInput.value = "";
    upsert(lead);
    render();
    $("notice").textContent = "Đã ghi kết quả.";
  }
}

async function reveal(leadId) {
  const phone = await act(leadId, () => connection.invoke("RevealPhone", leadId));
  if (typeof phone === "string") { revealed.set(leadId, phone); update(cards.get(leadId)); }
}

async function addNote(leadId) {
  const input = cards.get(leadId).node.querySelector(".note-text");
  if (!input.value.trim()) { feedback(leadId, "Ghi chú đang trống."); return; }
  const lead = await act(leadId, () => connection.invoke("AddNote", leadId, input.value), "Đã lưu ghi chú.");
  if (lead && lead !== true) { input.value = ""; upsert(lead); render(); }
}

async function reassign(leadId) {
  const to = cards.get(leadId).node.querySelector(".reassign-to").value;
  await act(leadId, () => connection.invoke("Reassign", leadId, to), "Đã chuyển khách.");
}

async function loadHistory(leadId) {
  const box = cards.get(leadId)?.node.querySelector(".history");
  if (!box || !online()) { if (box) box.textContent = explain(); return; }
  box.textContent = "Đang tải lịch sử…";
  try {
    const h = await connection.invoke("History", leadId);
    const head = document.createElement("p");
    head.textContent = `${h.storeVisits} lần đến cửa hàng · ${h.orders} đơn hàng · ${vnd(h.revenue)} · ${h.pageViews} trang đã xem${h.loyaltyPoints != null ? ` · ${h.loyaltyPoints.toLocaleString("vi-VN")} điểm tích lũy` : ""}${h.firstSeen ? ` · biết từ ${when(h.firstSeen)}` : ""}`;
    const list = document.createElement("ul");
    for (const e of h.recent) {
      const li = document.createElement("li");
      const what = e.name === "Lead Outcome" ? `Kết quả tư vấn: ${outcomeText(e.detail)}` : [historyTypes[e.type] ?? e.type, e.type === "Page" ? page(e.detail ?? "") : e.name, e.type === "Page" ? null : e.detail].filter(Boolean).join(" · ");
      li.textContent = `${when(e.at)} · ${what}${e.storeId ? ` · ${store(e.storeId)}` : ""}`;
      list.append(li);
    }
    box.replaceChildren(head, list);
  } catch (e) {
    box.textContent = explain(e);
  }
}

// ---------- manager ----------

async function loadStats() {
  if (me?.role !== "Manager" || !online()) return;
  try {
    teamStats = await connection.invoke("TeamStats");
    $("stats-error").textContent = "";
    for (const c of cards.values()) update(c);
  } catch (e) {
    $("stats-error").textContent = explain(e);
  }
}

function renderStats() {
  const rows = teamStats.map((s) => {
    const tr = document.createElement("tr");
    const cells = [s.name, s.online ? "có" : "vắng", s.offered, s.claimed, s.claims, s.meanResponse ? duration(s.meanResponse) : "–", s.slaMisses,
      Object.entries(s.outcomes).map(([k, v]) => `${outcomes[k] ?? k}: ${v}`).join(", ") || "–"];
    for (const v of cells) { const td = document.createElement("td"); td.textContent = v; tr.append(td); }
    return tr;
  });
  $("stats-table").tBodies[0].replaceChildren(...rows);
}

// ---------- alerts ----------

function unlockAlerts() {
  try { audio ??= new AudioContext(); audio.resume(); } catch { /* no sound on this device */ }
  if ("Notification" in window && Notification.permission === "default") {
    Notification.requestPermission().then(() => { $("enable-alerts").hidden = Notification.permission !== "default"; });
  }
}

function announce(lead) {
  beep();
  notify("Khách mới mời bạn nhận", `${lead.name ?? "Khách"} · điểm ${lead.score} · ${triggers[lead.trigger] ?? ""}`);
}

function beep() {
  if (!audio || audio.state !== "running") return;
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.frequency.value = 880;
  gain.gain.setValueAtTime(0.2, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
  osc.connect(gain).connect(audio.destination);
  osc.start();
  osc.stop(audio.currentTime + 0.4);
}

function notify(title, body) {
  if ("Notification" in window && Notification.permission === "granted") {
    try { new Notification(title, { body, tag: title }); } catch { /* some phones only notify from a service worker */ }
  }
}

// ---------- words ----------

const store = (id) => names.stores?.[id] ?? id;
const campaign = (id) => names.campaigns?.[id] ?? id.replace(/_/g, " ");
const channel = (id) => names.channels?.[id] ?? id;
const masterChannels = { Email: "Email", Sms: "SMS", Zalo: "Zalo", Viber: "Viber", WebPush: "Thông báo trình duyệt" };
function product(slug) {
  return names.products?.[slug] ?? slug.replace(/-/g, " ").replace(/^./, (ch) => ch.toUpperCase());
}
function page(path) {
  if (path === "/" || path === "") return "Trang chủ";
  const parts = path.split("?")[0].split("/").filter(Boolean);
  const last = parts[parts.length - 1];
  if (parts[0] === "san-pham" && last !== "san-pham") return `Sản phẩm ${product(last)}`;
  return product(last);
}
function outcomeText(detail) {
  if (!detail) return "";
  const [code, ...rest] = detail.split(": ");
  return [outcomes[code] ?? code, rest.join(": ")].filter(Boolean).join(": ");
}
function local(e164) { return e164.startsWith("+84") ? "0" + e164.slice(3) : e164; }
function vnd(v) { return `${Number(v).toLocaleString("vi-VN")} ₫`; }
function ago(iso) {
  const s = Math.max(0, Math.floor((now() - Date.parse(iso)) / 1000));
  if (s < 60) return "vừa xong";
  if (s < 3600) return `${Math.floor(s / 60)} phút trước`;
  if (s < 86400) return `${Math.floor(s / 3600)} giờ ${Math.floor((s % 3600) / 60)} phút trước`;
  return `${Math.floor(s / 86400)} ngày trước`;
}
function when(iso) {
  return new Date(iso).toLocaleString("vi-VN", { hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit" });
}
function duration(span) {
  const m = /^(?:(\d+)\.)?(\d+):(\d+):(\d+)/.exec(span);
  if (!m) return span;
  const total = (Number(m[1] ?? 0) * 24 + Number(m[2])) * 60 + Number(m[3]);
  return total >= 60 ? `${Math.floor(total / 60)} giờ ${total % 60} phút` : total > 0 ? `${total} phút ${Number(m[4])} giây` : `${Number(m[4])} giây`;
}

// ---------- wiring ----------

$("sign-in").addEventListener("click", signIn);
$("sign-out").addEventListener("click", signOut);
$("retry").addEventListener("click", retryNow);
$("enable-alerts").addEventListener("click", unlockAlerts);
$("more").addEventListener("click", () => { shown += PageSize; render(); });
$("search").addEventListener("input", () => { shown = PageSize; render(); });
$("show-all").addEventListener("change", () => { shown = PageSize; render(); });
for (const b of document.querySelectorAll("[role=tab]")) {
  b.addEventListener("click", () => { tab = b.dataset.tab; shown = PageSize; render(); if (tab === "manager") loadStats().then(render); });
}
document.addEventListener("click", () => { if (audio?.state === "suspended") audio.resume(); });
window.addEventListener("offline", () => setConnection(connection?.state === signalR.HubConnectionState.Connected ? "online" : "offline"));
window.addEventListener("online", () => { if (connection) retryNow(); });
setInterval(() => {
  for (const c of cards.values()) tick(c);
}, 1000);
setInterval(() => {
  render();
  if (tab === "manager") loadStats().then(renderStats);
}, 15000);


// A session (identity provider) first, then a demo token kept in this tab, else the sign-in choices.
async function boot() {
  const session = await fetch("/me");
  if (session.ok) {
    const person = await session.json();
    if (person.roles.includes("consultant") || person.roles.includes("manager")) {
      const role = person.roles.includes("manager") ? "Manager" : "Consultant";
      await start({ consultant: { id: person.id, name: person.name, team: person.team, role, viaCookie: true } });
      return;
    }
  }
  const saved = sessionStorage.getItem("o2o-consultant");
  if (saved) { await start(JSON.parse(saved)); return; }
  const choices = await fetch("/signin/choices").then((r) => (r.ok ? r.json() : { provider: false }));
  $("provider-panel").hidden = !choices.provider;
  await loadConsultants(choices.provider);
}
boot();
