// The consultant's live lead feed: signs in, connects to /hubs/leads, keeps the team's open leads on screen.
"use strict";

const stages = { None: "Chưa rõ", Aware: "Đã thấy quảng cáo", Visited: "Đã vào web", Engaged: "Quan tâm", Contacted: "Đã liên hệ", StoreVisited: "Đã đến cửa hàng", Purchased: "Đã mua" };
const triggers = { HotScore: "Điểm cao", Contact: "Vừa liên hệ", StoreCheckIn: "Đang ở cửa hàng", NurtureClick: "Bấm tin nhắn chăm sóc" };
const reasons = { PageViews: "xem nhiều trang", ProductInterest: "quan tâm sản phẩm", PricingInterest: "xem bảng giá", CartIntent: "thêm giỏ hàng", TimeOnSite: "ở lâu trên web", Contact: "đã liên hệ", StoreVisit: "đến cửa hàng", Purchase: "đã mua", ConsultantOutcome: "kết quả tư vấn" };
const statuses = { Waiting: "Đang chờ tư vấn viên", Offered: "Đang mời", Escalated: "Chuyển quản lý", Claimed: "Đã nhận", Closed: "Đã đóng" };

const leads = new Map();
let me = null;
let connection = null;

const $ = (id) => document.getElementById(id);

async function loadConsultants() {
  const response = await fetch("/consultant/demo");
  if (!response.ok) {
    $("sign-in-error").textContent = "Trang đăng nhập thử chỉ có ở môi trường Development.";
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
  const response = await fetch("/consultant/sign-in", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ consultantId: $("consultant").value }),
  });
  if (!response.ok) {
    $("sign-in-error").textContent = "Không đăng nhập được.";
    return;
  }
  const session = await response.json();
  sessionStorage.setItem("o2o-consultant", JSON.stringify(session));
  await start(session);
}

async function start(session) {
  me = session.consultant;
  $("who-name").textContent = me.name;
  $("who-team").textContent = me.team;
  $("who").hidden = false;
  $("sign-in-panel").hidden = true;
  $("feed-panel").hidden = false;

  connection = new signalR.HubConnectionBuilder()
    .withUrl("/hubs/leads", { accessTokenFactory: () => session.token })
    .withAutomaticReconnect()
    .build();
  connection.on("OpenLeads", (open) => { leads.clear(); open.forEach(upsert); render(); });
  for (const kind of ["LeadOffered", "LeadClaimed", "LeadReassigned", "LeadClosed", "LeadUpdated"]) {
    connection.on(kind, (lead) => { upsert(lead); render(); });
  }
  connection.onreconnecting(() => setConnection("đang kết nối lại…"));
  connection.onreconnected(() => setConnection("trực tuyến"));
  connection.onclose(() => setConnection("mất kết nối"));
  try {
    await connection.start();
    setConnection("trực tuyến");
  } catch (e) {
    setConnection("không kết nối được");
    sessionStorage.removeItem("o2o-consultant");
  }
}

function setConnection(text) { $("connection").textContent = text; }

function upsert(lead) { lead.seenAt = leads.get(lead.leadId)?.seenAt ?? Date.now(); leads.set(lead.leadId, lead); }

function render() {
  const list = $("leads");
  list.replaceChildren();
  const open = [...leads.values()].sort((a, b) =>
    (a.status === "Closed") - (b.status === "Closed") || b.score - a.score || Date.parse(b.raisedAt) - Date.parse(a.raisedAt));
  $("empty").hidden = open.length > 0;
  for (const lead of open) {
    list.append(card(lead));
  }
}

function card(lead) {
  const node = $("lead-template").content.firstElementChild.cloneNode(true);
  node.dataset.leadId = lead.leadId;
  const offeredToMe = lead.offeredTo === me.id && (lead.status === "Offered" || lead.status === "Escalated");
  const mine = lead.claimedBy === me.id;
  node.classList.toggle("hot", lead.score >= 60);
  node.classList.toggle("mine", offeredToMe);
  node.classList.toggle("claimed", lead.status === "Claimed");
  node.classList.toggle("closed", lead.status === "Closed");
  node.classList.toggle("escalated", lead.status === "Escalated");
  const set = (selector, text) => { node.querySelector(selector).textContent = text ?? ""; };
  set(".score", lead.score);
  set(".name", lead.name ?? "Khách chưa định danh");
  set(".phone", lead.maskedPhone ?? "");
  set(".status", statusText(lead, offeredToMe));
  set(".stage", stages[lead.stage] ?? lead.stage);
  set(".trigger", triggers[lead.trigger] ?? lead.trigger);
  set(".reasons", (lead.reasons ?? []).map((r) => reasons[r] ?? r).join(", "));
  const touches = [];
  if (lead.lastAd) touches.push(`Quảng cáo: ${lead.lastAd.source}${lead.lastAd.campaign ? " / " + lead.lastAd.campaign : ""}${lead.lastAd.content ? " / " + lead.lastAd.content : ""}`);
  if (lead.lastPages?.length) touches.push(`Trang: ${lead.lastPages.join(", ")}`);
  if (lead.lastStoreId) touches.push(`Cửa hàng: ${lead.lastStoreId}`);
  if (lead.masterChannel) touches.push(`Kênh hiệu quả nhất: ${lead.masterChannel}`);
  set(".touches", touches.join(" · "));
  set(".interest", lead.interest ? `Quan tâm: ${lead.interest} · nhóm ${lead.segment}` : `Nhóm: ${lead.segment}`);
  set(".script", lead.script?.text ?? "");
  const open = lead.status !== "Closed";
  node.querySelector(".claim").hidden = !open || lead.status === "Claimed";
  node.querySelector(".decline").hidden = !(offeredToMe && lead.status === "Offered");
  node.querySelector(".outcome-form").hidden = !(open && (mine || (me.role === "Manager" && lead.status === "Claimed")));
  node.querySelector(".claim").addEventListener("click", () => claim(lead.leadId));
  node.querySelector(".decline").addEventListener("click", () => connection.invoke("DeclineLead", lead.leadId));
  node.querySelector(".record").addEventListener("click", () =>
    record(lead.leadId, node.querySelector(".outcome").value, node.querySelector(".lost-reason").value));
  return node;
}

function statusText(lead, offeredToMe) {
  if (lead.status === "Claimed") return lead.claimedBy === me.id ? "Bạn đã nhận" : `${lead.claimedByName} đã nhận`;
  if (lead.status === "Closed") return `Đã đóng: ${lead.outcome ?? ""}`;
  if (offeredToMe) return lead.status === "Escalated" ? "Chuyển cho bạn (quản lý)" : "Mời bạn nhận";
  return statuses[lead.status] ?? lead.status;
}

async function claim(leadId) {
  const result = await connection.invoke("ClaimLead", leadId);
  $("notice").textContent = result.won ? "Bạn đã nhận khách này." : result.winnerName ? `${result.winnerName} đã nhận trước.` : result.error;
}

async function record(leadId, outcome, lostReason) {
  try {
    const lead = await connection.invoke("RecordOutcome", leadId, outcome, lostReason || null);
    upsert(lead);
    render();
    $("notice").textContent = "Đã ghi kết quả.";
  } catch (e) {
    $("notice").textContent = e.message;
  }
}

$("sign-in").addEventListener("click", signIn);
$("sign-out").addEventListener("click", () => { sessionStorage.removeItem("o2o-consultant"); location.reload(); });
const saved = sessionStorage.getItem("o2o-consultant");
if (saved) { start(JSON.parse(saved)); } else { loadConsultants(); }
