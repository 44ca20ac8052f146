// The account page: the power map (vis-network, loaded before this module), a person's card, and the edits
// of a planner. Every text reaches the page through textContent, never as markup.
/* global vis */

// A colour-blind-safe stance palette (Okabe–Ito) with a second channel: a mark before the name.
export const STANCES = {
  supporter: { color: "#0072B2", mark: "+", label: "supporter" },
  neutral: { color: "#F0E442", mark: "=", label: "neutral" },
  opponent: { color: "#D55E00", mark: "−", label: "opponent" },
  unknown: { color: "#BBBBBB", mark: "?", label: "unknown" },
};

const root = document.getElementById("ag-account");
const account = root.dataset.account;
const canEdit = root.dataset.canEdit === "1";
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const card = document.getElementById("ag-card");
const hint = document.getElementById("ag-card-hint");
const coverageLine = document.getElementById("ag-coverage");
const shownLine = document.getElementById("ag-shown");
const everyoneButton = document.getElementById("ag-everyone");

let everyone = false;
let network = null;
let nodes = null;
let edges = null;
let renders = 0;
let current = null; // the person whose card is open

function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

class HttpError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function request(url, options = {}) {
  const response = await fetch(url, { credentials: "same-origin", ...options });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new HttpError(response.status, body);
  return body;
}

function post(url, data) {
  return request(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(data),
  });
}

const query = (params) => new URLSearchParams(params).toString();

// ---- the legend -----------------------------------------------------------------------------------
const legend = document.getElementById("ag-legend-stance");
for (const s of Object.values(STANCES)) {
  const swatch = el("span", s.mark, { class: "ag-swatch" });
  swatch.style.background = s.color;
  const item = el("li");
  item.append(swatch, document.createTextNode(` ${s.label}`));
  legend.append(item);
}

// ---- the map --------------------------------------------------------------------------------------
// A coverage gap: a wide dashed near-black border (the server's dashes), never a colour of the stance palette.
const GAP_BORDER = "#1c2833";

function styled(node) {
  if (!node.stance) return node; // a team member keeps the server's style
  const s = STANCES[node.stance] ?? STANCES.unknown;
  const border = node.gap ? GAP_BORDER : (node.color?.border ?? "#34495e");
  const marked = { background: s.color, border: "#000000" };
  return {
    ...node,
    label: `${s.mark} ${node.label.replace(/^[+=−?] /, "")}`,
    color: { background: s.color, border, highlight: marked, hover: marked },
  };
}

function replaceAll(set, items) {
  const keep = new Set(items.map((i) => i.id));
  set.remove(set.getIds().filter((id) => !keep.has(id)));
  set.update(items);
}

function showFigures(data) {
  const c = data.coverage;
  const key = c.key === null ? "" : ` · key people ${c.key.toFixed(1)}`;
  coverageLine.textContent =
    `Coverage ${c.score.toFixed(1)}/100 (${c.covered} of ${c.chain} reached)${key} · ${c.gaps} gaps`;
  coverageLine.dataset.score = String(c.score);
  coverageLine.dataset.gaps = String(c.gaps);
  shownLine.textContent = data.everyone
    ? `All ${data.people} people shown.`
    : `Showing the decision chain (at most its ${data.limit} best ranked) and our ties: ${data.shown} of ${data.people} people.`;
  everyoneButton.textContent = everyone ? "Show the decision chain" : "Show everyone";
  everyoneButton.setAttribute("aria-pressed", String(everyone));
}

async function loadMap() {
  const data = await request(`/web/map?${query({ account, everyone })}`);
  const mapNodes = data.map.nodes.map(styled);
  if (network === null) {
    nodes = new vis.DataSet(mapNodes);
    edges = new vis.DataSet(data.map.edges);
    network = new vis.Network(document.getElementById("ag-map"), { nodes, edges }, data.map.options);
    network.on("click", (event) => {
      const id = event.nodes[0];
      if (id !== undefined && nodes.get(id)?.kind === "person") openCard(id);
    });
    window.agNetwork = network;
    window.agNodes = nodes;
    window.agEdges = edges;
  } else {
    replaceAll(nodes, mapNodes);
    replaceAll(edges, data.map.edges);
  }
  showFigures(data);
  renders += 1;
  document.body.dataset.renders = String(renders);
  document.body.dataset.ready = "1";
}

everyoneButton.addEventListener("click", () => {
  everyone = !everyone;
  loadMap().catch(showLoadError);
});

function showLoadError(error) {
  coverageLine.textContent = `Could not load the map: ${error.message}`;
  coverageLine.classList.add("ag-error");
}

// ---- the person card ------------------------------------------------------------------------------
const fmt = (v) => (v === null || v === undefined || v === "" ? "—" : String(v).replaceAll("_", " "));

function rows(table, pairs) {
  for (const [k, v] of pairs) {
    const tr = el("tr");
    tr.append(el("th", k, { scope: "row" }), el("td", v));
    table.append(tr);
  }
}

function list(heading, items, empty, attrs = () => ({})) {
  const box = el("div");
  box.append(el("h2", heading));
  if (!items.length) {
    box.append(el("p", empty, { class: "ag-hint" }));
    return box;
  }
  const ul = el("ul");
  items.forEach((item, i) => ul.append(el("li", item, attrs(i))));
  box.append(ul);
  return box;
}

function field(form, label, input) {
  const id = `ag-${input.name}-${Math.random().toString(36).slice(2, 8)}`;
  input.id = id;
  const error = el("span", "", { class: "ag-field-error", "data-error-for": input.name });
  const wrap = el("div");
  wrap.append(input, error);
  form.append(el("label", label, { for: id }), wrap);
}

function select(name, options, chosen) {
  const s = el("select", undefined, { name });
  for (const [value, text] of options) {
    const o = el("option", text, { value });
    if (value === chosen) o.selected = true;
    s.append(o);
  }
  return s;
}

const today = () => new Date().toISOString().slice(0, 10);

function showErrors(form, error) {
  form.querySelectorAll(".ag-field-error").forEach((e) => (e.textContent = ""));
  const status = form.querySelector(".ag-form-status");
  const details = Array.isArray(error.body?.error?.details) ? error.body.error.details : [];
  let placed = false;
  for (const issue of details) {
    const name = issue.field === "at" ? "on" : issue.field;
    const target = form.querySelector(`[data-error-for="${CSS.escape(String(name))}"]`);
    if (target) {
      target.textContent = issue.reason;
      placed = true;
    }
  }
  status.textContent = placed ? "Not saved: see the fields above." : `Not saved: ${error.message}`;
  status.classList.add("ag-error");
}

function editForm(id, heading, build, submit) {
  const form = el("form", undefined, { id, novalidate: "" });
  form.append(el("h4", heading));
  build(form);
  form.append(el("button", "Save", { type: "submit" }), el("p", "", { class: "ag-form-status", role: "status" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = form.querySelector(".ag-form-status");
    status.classList.remove("ag-error");
    status.textContent = "Saving…";
    try {
      await submit(new FormData(form));
      await Promise.all([loadMap(), openCard(current)]);
      document.getElementById(id)?.querySelector(".ag-form-status")?.replaceChildren("Saved.");
    } catch (error) {
      showErrors(form, error);
    }
  });
  return form;
}

function renderCard(p) {
  card.replaceChildren();
  card.dataset.person = p.id;
  const s = STANCES[p.stance] ?? STANCES.unknown;
  card.append(el("h3", p.name), el("p", [p.title, p.company_name].filter(Boolean).join(" · "), { class: "ag-sub" }));
  const table = el("table");
  rows(table, [
    ["Department", fmt(p.department)],
    ["Roles", fmt(p.roles.join(", "))],
    ["Stance", `${s.mark} ${s.label}`],
    ["Rank", p.rank === null ? "not ranked" : `#${p.rank} of ${p.ranked}`],
    ["Score", p.score === null ? "—" : Object.entries(p.score_parts).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(" · ")],
    ["Coverage", p.covered === null ? "not in the decision chain" : `${p.covered ? "covered" : "NOT covered"} (${p.layer} layer)`],
  ]);
  card.append(table);
  card.append(
    list(
      "Who of ours knows them",
      p.ours.map(
        (t) =>
          `${t.member_name}: ${t.strength.toFixed(2)} effective (stated ${t.stated.toFixed(2)}, ` +
          `${t.interactions} interaction${t.interactions === 1 ? "" : "s"}, last contact ${fmt(t.last_contact)})` +
          (t.stale ? " — stale" : ""),
      ),
      "nobody of ours",
      (i) => ({ "data-member": p.ours[i].member, "data-strength": p.ours[i].strength }),
    ),
  );
  const path = list("Best path from our team", p.path_hops, p.path);
  if (p.path_hops.length) path.insertBefore(el("p", p.path), path.children[1]);
  card.append(path);
  const leave = list("If they leave", [...p.leave_lost.map((n) => `we lose every path to ${n}`),
    ...p.leave_uncovered.map((n) => `${n} is no longer covered`)], "nobody else is lost");
  leave.insertBefore(el("p", p.leave_explanation), leave.children[1]);
  card.append(leave);
  card.append(list("Gaps", p.gaps, "none"));
  card.append(list("Stance history", p.history.map((h) => `${h.since ?? "first known"}: ${fmt(h.stance)}` +
    (h.roles.length ? ` (${fmt(h.roles.join(", "))})` : "")), "no change recorded"));
  if (canEdit) {
    card.append(
      editForm(
        "ag-stance-form",
        "Set stance",
        (form) => {
          field(form, "Stance", select("stance", Object.keys(STANCES).map((k) => [k, `${STANCES[k].mark} ${k}`]), p.stance));
          field(form, "From", el("input", undefined, { name: "on", type: "date", value: today() }));
        },
        (data) => post("/web/stance", { account, person: p.id, stance: data.get("stance"), on: data.get("on") }),
      ),
      editForm(
        "ag-interaction-form",
        "Log an interaction",
        (form) => {
          const first = p.ours[0]?.member ?? p.team[0]?.id;
          field(form, "Who of ours", select("member", p.team.map((t) => [t.id, t.name]), first));
          field(form, "Kind", select("kind", [["meeting", "meeting"], ["call", "call"], ["email", "email"], ["visit", "visit"], ["event", "event"]], "meeting"));
          field(form, "On", el("input", undefined, { name: "on", type: "date", value: today() }));
          field(form, "Mood", select("sentiment", [["1", "positive"], ["0", "neutral"], ["-1", "negative"]], "0"));
          field(form, "Note", el("input", undefined, { name: "note", type: "text", maxlength: "2000" }));
        },
        (data) =>
          post("/web/interactions", {
            account,
            person: p.id,
            member: data.get("member"),
            kind: data.get("kind"),
            on: data.get("on"),
            sentiment: Number(data.get("sentiment")),
            note: data.get("note") || null,
          }),
      ),
    );
  }
  card.hidden = false;
  hint.hidden = true;
}

async function openCard(id) {
  if (id === null || id === undefined) return;
  current = id;
  try {
    renderCard(await request(`/web/person?${query({ account, person: id })}`));
  } catch (error) {
    card.replaceChildren(el("p", `Could not load the card: ${error.message}`, { class: "ag-error" }));
    card.hidden = false;
  }
}
window.agOpenCard = openCard;

loadMap().catch(showLoadError);

// A link to `/accounts/ID#person=PERSON` (the search page's) opens that person's card.
function openLinkedCard() {
  const person = new URLSearchParams(window.location.hash.slice(1)).get("person");
  if (person) openCard(person);
}
window.addEventListener("hashchange", openLinkedCard);
openLinkedCard();
