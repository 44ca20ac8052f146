// The account page: the power map (vis-network, loaded before this module), a person's card, and the edits
// of a planner. Every text reaches the page through textContent, never as markup.
/* global vis */
import { el, joinList, kindName, query, replaceAll, request, term, tr } from "./common.js";
import { STANCES, styled } from "./stance.js";


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

function post(url, data) {
  return request(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(data),
  });
}

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

function showFigures(data) {
  const c = data.coverage;
  const key = c.key === null ? "" : tr("key_part", { key: c.key.toFixed(1) });
  coverageLine.textContent = tr("coverage_line", {
    score: c.score.toFixed(1), covered: c.covered, chain: c.chain, key, gaps: c.gaps,
  });
  coverageLine.dataset.score = String(c.score);
  coverageLine.dataset.gaps = String(c.gaps);
  shownLine.textContent = data.everyone
    ? tr("all_shown", { people: data.people })
    : tr("chain_shown", { limit: data.limit, shown: data.shown, people: data.people });
  const b = data.betweenness;
  shownLine.textContent += b.method === "exact" ? tr("ranked_exact") : tr("ranked_sampled", { sources: b.sources });
  shownLine.dataset.betweenness = b.method;
  everyoneButton.textContent = everyone ? tr("show_chain") : tr("show_everyone");
  everyoneButton.setAttribute("aria-pressed", String(everyone));
}

async function loadMap() {
  const params = { account, everyone };
  if (pathTo !== null) params.path_to = pathTo;
  const data = await request(`/web/map?${query(params)}`);
  const mapNodes = data.map.nodes.map(styled);
  if (network === null) {
    nodes = new vis.DataSet(mapNodes);
    edges = new vis.DataSet(data.map.edges);
    network = new vis.Network(document.getElementById("ag-map"), { nodes, edges }, data.map.options);
    network.on("click", (event) => {
      const id = event.nodes[0];
      if (id !== undefined && nodes.get(id)?.kind === "person") openCard(id);
    });
    network.on("beforeDrawing", drawBands);
    window.agNetwork = network;
    window.agNodes = nodes;
    window.agEdges = edges;
  } else {
    replaceAll(nodes, mapNodes);
    replaceAll(edges, data.map.edges);
  }
  networkPositions = new Map(mapNodes.map((n) => [n.id, { x: n.x, y: n.y }]));
  companies = data.companies;
  fillAddPerson();
  fillFilters();
  applyFilters();
  if (layered) placeLayers();
  showPath(data.path);
  showFigures(data);
  renders += 1;
  document.body.dataset.renders = String(renders);
  document.body.dataset.ready = "1";
}

// ---- filters ---------------------------------------------------------------------------------------
const filters = document.getElementById("ag-filters");
const filteredLine = document.getElementById("ag-filtered");
let companies = {};

function fillFilters() {
  const people = nodes.get({ filter: (n) => n.kind === "person" });
  const options = {
    company: [...new Set(people.map((n) => n.company).filter(Boolean))].map((c) => [c, companies[c] ?? c]),
    department: [...new Set(people.map((n) => n.department).filter(Boolean))].map((d) => [d, d]),
    stance: Object.keys(STANCES).map((k) => [k, `${STANCES[k].mark} ${term(k)}`]),
    role: [...new Set(people.flatMap((n) => n.roles ?? []))].map((r) => [r, term(r)]),
  };
  for (const [name, pairs] of Object.entries(options)) {
    const box = filters.elements[name];
    const chosen = box.value;
    pairs.sort((a, b) => a[1].localeCompare(b[1]));
    box.replaceChildren(el("option", tr("all"), { value: "" }), ...pairs.map(([v, t]) => el("option", t, { value: v })));
    box.value = pairs.some(([v]) => v === chosen) ? chosen : "";
  }
}

function applyFilters() {
  const f = new FormData(filters);
  const want = (name) => f.get(name) || null;
  const [company, department, stance, role] = ["company", "department", "stance", "role"].map(want);
  const staleOnly = f.get("stale") !== null;
  const kinds = new Set(f.getAll("kind"));
  const staleEnds = new Set();
  for (const e of edges.get()) if (e.kind === "OURS" && e.stale) staleEnds.add(e.from).add(e.to);
  const visible = new Set();
  const nodeUpdates = nodes.get().map((n) => {
    let show = true;
    if (n.kind === "person" && !n.path) {
      show =
        (!company || n.company === company) &&
        (!department || n.department === department) &&
        (!stance || n.stance === stance) &&
        (!role || (n.roles ?? []).includes(role)) &&
        (!staleOnly || staleEnds.has(n.id));
    }
    if (show) visible.add(n.id);
    return { id: n.id, hidden: !show };
  });
  const edgeUpdates = edges.get().map((e) => {
    const show =
      e.path ||
      (visible.has(e.from) && visible.has(e.to) && kinds.has(e.kind) && (!staleOnly || e.kind !== "OURS" || e.stale));
    return { id: e.id, hidden: !show };
  });
  nodes.update(nodeUpdates);
  edges.update(edgeUpdates);
  const people = nodeUpdates.filter((u) => nodes.get(u.id).kind === "person");
  const shownPeople = people.filter((u) => !u.hidden).length;
  filteredLine.textContent =
    shownPeople === people.length ? "" : tr("people_match", { shown: shownPeople, total: people.length });
  root.dataset.visible = String(shownPeople);
}

filters.addEventListener("change", () => applyFilters());
filters.addEventListener("reset", () => setTimeout(applyFilters, 0));
filters.addEventListener("submit", (event) => event.preventDefault());

// ---- layouts: the network (the server's) or layered, the decision layer at the top --------------------
const LAYERS = [
  ["key", tr("layer_key")],
  ["organisational", tr("layer_organisational")],
  ["broad", tr("layer_broad")],
  [null, tr("layer_none")],
  ["team", tr("layer_team")],
];
const layoutButton = document.getElementById("ag-layout");
let layered = false;
let networkPositions = new Map();
let bands = [];

function placeLayers() {
  const rows = LAYERS.map(() => []);
  for (const n of nodes.get()) {
    const key = n.kind === "team" ? "team" : (n.layer ?? null);
    rows[LAYERS.findIndex(([k]) => k === key)].push(n);
  }
  const PER_ROW = 16;
  const DX = 160;
  const DY = 110;
  let y = 0;
  bands = [];
  const moves = [];
  rows.forEach((row, i) => {
    if (!row.length) return;
    row.sort((a, b) => String(a.company ?? "").localeCompare(String(b.company ?? "")) || (b.size ?? 0) - (a.size ?? 0));
    bands.push({ label: LAYERS[i][1], y: y - DY * 0.6 });
    for (let start = 0; start < row.length; start += PER_ROW) {
      const line = row.slice(start, start + PER_ROW);
      line.forEach((n, j) => moves.push({ id: n.id, x: (j - (line.length - 1) / 2) * DX, y }));
      y += DY;
    }
    y += DY * 0.8;
  });
  nodes.update(moves);
  const left = Math.min(...moves.map((m) => m.x)) - 60;
  bands.forEach((b) => (b.x = left));
  root.dataset.layout = "layered";
}

function placeNetwork() {
  bands = [];
  nodes.update([...networkPositions].map(([id, p]) => ({ id, ...p })));
  root.dataset.layout = "network";
}

function drawBands(ctx) {
  if (!layered || !bands.length) return;
  ctx.save();
  ctx.font = "bold 26px system-ui, sans-serif";
  ctx.fillStyle = "#566573";
  for (const b of bands) ctx.fillText(b.label, b.x, b.y);
  ctx.restore();
}

layoutButton.addEventListener("click", () => {
  layered = !layered;
  if (layered) placeLayers();
  else placeNetwork();
  layoutButton.textContent = layered ? tr("network_layout") : tr("layered_layout");
  layoutButton.setAttribute("aria-pressed", String(layered));
  network.fit({ animation: false });
});

// ---- the best path to a person, on request ----------------------------------------------------------
let pathTo = null;
const pathLine = document.getElementById("ag-path-line");

function showPath(path) {
  if (!path) {
    pathLine.hidden = true;
    delete root.dataset.path;
    return;
  }
  document.getElementById("ag-path-text").textContent = path.reachable
    ? tr("path_best", { name: path.name, hops: path.hops.join(" → ") })
    : tr("path_none", { name: path.name, reason: path.reason });
  pathLine.hidden = false;
  root.dataset.path = path.nodes.join(" ");
}

async function drawPath(id) {
  pathTo = id;
  await loadMap();
}

document.getElementById("ag-path-clear").addEventListener("click", () => {
  pathTo = null;
  loadMap().catch(showLoadError);
});

everyoneButton.addEventListener("click", () => {
  everyone = !everyone;
  loadMap().catch(showLoadError);
});

function showLoadError(error) {
  coverageLine.textContent = tr("map_error", { error: error.message });
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

// A record's field as the forms name it (an interaction's `at` and a person's `changed_on` are the form's `on`).
const FIELD_OF = { at: "on", changed_on: "on" };

function showErrors(form, error) {
  form.querySelectorAll(".ag-field-error").forEach((e) => (e.textContent = ""));
  const status = form.querySelector(".ag-form-status");
  const details = Array.isArray(error.body?.error?.details) ? error.body.error.details : [];
  let placed = false;
  for (const issue of details) {
    const base = String(issue.field).split(".")[0]; // a list's item (`roles.0`) at its list
    const name = FIELD_OF[base] ?? base;
    const target = form.querySelector(`[data-error-for="${CSS.escape(String(name))}"]`);
    if (target) {
      target.textContent = issue.reason;
      placed = true;
    }
  }
  status.textContent = placed ? tr("not_saved_fields") : tr("not_saved", { error: error.message });
  status.classList.add("ag-error");
}

function editForm(id, heading, build, submit) {
  const form = el("form", undefined, { id, novalidate: "" });
  form.append(el("h4", heading));
  build(form);
  form.append(el("button", tr("save"), { type: "submit" }), el("p", "", { class: "ag-form-status", role: "status" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = form.querySelector(".ag-form-status");
    status.classList.remove("ag-error");
    status.textContent = tr("saving");
    try {
      const shown = await submit(new FormData(form));
      if (typeof shown === "string") current = shown; // an added person: their card opens
      await Promise.all([loadMap(), openCard(current)]);
      document.getElementById(id)?.querySelector(".ag-form-status")?.replaceChildren(tr("saved"));
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
    [tr("department"), fmt(p.department)],
    [tr("roles"), fmt(joinList(p.roles.map(term)))],
    [tr("stance"), `${s.mark} ${s.label}`],
    [tr("rank"), p.rank === null ? tr("not_ranked") : tr("rank_of", { rank: p.rank, ranked: p.ranked })],
    [tr("score"), p.score === null ? "—" : Object.entries(p.score_parts).map(([k, v]) => `${tr(`part_${k}`)} ${v.toFixed(2)}`).join(" · ")],
    [tr("coverage"), p.covered === null ? tr("not_in_chain") : tr(p.covered ? "covered_in" : "uncovered_in", { layer: term(p.layer) })],
  ]);
  card.append(table);
  card.append(
    list(
      tr("who_knows"),
      p.ours.map(
        (t) =>
          tr("our_tie", {
            member: t.member_name,
            strength: t.strength.toFixed(2),
            stated: t.stated.toFixed(2),
            interactions: tr(t.interactions === 1 ? "interactions_one" : "interactions_many", { n: t.interactions }),
            last: fmt(t.last_contact),
          }) + (t.stale ? tr("stale") : ""),
      ),
      tr("nobody_ours"),
      (i) => ({ "data-member": p.ours[i].member, "data-strength": p.ours[i].strength }),
    ),
  );
  const path = list(tr("best_path"), p.path_hops, p.path);
  if (p.path_hops.length) path.insertBefore(el("p", p.path), path.children[1]);
  const draw = el("button", tr("draw_path"), { type: "button", id: "ag-draw-path" });
  draw.addEventListener("click", () => drawPath(p.id).catch(showLoadError));
  path.append(draw);
  card.append(path);
  const leave = list(tr("if_leave"), [...p.leave_lost.map((n) => tr("lose_path", { name: n })),
    ...p.leave_uncovered.map((n) => tr("no_longer_covered", { name: n }))], tr("nobody_lost"));
  leave.insertBefore(el("p", p.leave_explanation), leave.children[1]);
  card.append(leave);
  card.append(list(tr("gaps"), p.gaps, tr("none")));
  card.append(list(tr("stance_history"), p.history.map((h) => `${h.since ?? tr("first_known")}: ${term(h.stance)}` +
    (h.roles.length ? ` (${fmt(joinList(h.roles.map(term)))})` : "")), tr("no_change")));
  if (p.changes) {
    // the change log of this person's record, ties and interactions: lines made (and translated) by the server,
    // shown as text, newest first; "more" fetches the next ones
    const log = list(p.changes.heading, p.changes.lines, p.changes.empty);
    log.id = "ag-changes";
    const more = (next) => {
      if (!next.next_cursor) return;
      const button = el("button", next.more, { type: "button", id: "ag-changes-more" });
      button.addEventListener("click", async () => {
        const page = await request(`/web/person/changes?${query({ account, person: p.id, cursor: next.next_cursor })}`)
          .catch(showLoadError);
        if (!page) return;
        button.remove();
        const ul = log.querySelector("ul");
        page.lines.forEach((line) => ul.append(el("li", line)));
        more(page);
      });
      log.append(button);
    };
    more(p.changes);
    card.append(log);
  }
  if (canEdit) {
    card.append(
      editForm(
        "ag-stance-form",
        tr("set_stance"),
        (form) => {
          field(form, tr("stance"), select("stance", Object.keys(STANCES).map((k) => [k, `${STANCES[k].mark} ${term(k)}`]), p.stance));
          field(form, tr("from"), el("input", undefined, { name: "on", type: "date", value: today() }));
        },
        (data) => post("/web/stance", { account, person: p.id, stance: data.get("stance"), on: data.get("on") }),
      ),
      editForm(
        "ag-interaction-form",
        tr("log_interaction"),
        (form) => {
          const first = p.ours[0]?.member ?? p.team[0]?.id;
          field(form, tr("who_ours"), select("member", p.team.map((t) => [t.id, t.name]), first));
          const kinds = ["meeting", "call", "email", "visit", "event"].map((k) => [k, kindName(k)]);
          field(form, tr("kind"), select("kind", kinds, "meeting"));
          field(form, tr("on"), el("input", undefined, { name: "on", type: "date", value: today() }));
          field(form, tr("mood"), select("sentiment", [["1", tr("positive")], ["0", tr("neutral")], ["-1", tr("negative")]], "0"));
          field(form, tr("note"), el("input", undefined, { name: "note", type: "text", maxlength: "2000" }));
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
  if (canEdit) card.append(...structureForms(p));
  card.hidden = false;
  hint.hidden = true;
}

const ROLES = ["decision_maker", "economic_buyer", "technical_buyer", "user_buyer", "influencer", "champion",
  "coach", "gatekeeper", "blocker"];
const FUNCTIONS = ["account_manager", "solution_expert", "delivery_manager", "executive", "other"];
const tieKey = (t) => `${t.type}|${t.from}|${t.to}`;

function rolesBox(chosen) {
  const box = el("select", undefined, { name: "roles", multiple: "", size: "5" });
  for (const r of ROLES) {
    const o = el("option", term(r), { value: r });
    if (chosen.includes(r)) o.selected = true;
    box.append(o);
  }
  return box;
}

// The card's edits of the account's structure: roles (dated), a tie added or ended, one of ours added.
function structureForms(p) {
  const forms = [
    editForm(
      "ag-roles-form",
      tr("set_roles"),
      (form) => {
        field(form, tr("roles"), rolesBox(p.roles));
        field(form, tr("from"), el("input", undefined, { name: "on", type: "date", value: today() }));
      },
      (data) => post("/web/roles", { account, person: p.id, roles: data.getAll("roles"), on: data.get("on") }),
    ),
    editForm(
      "ag-tie-form",
      tr("add_tie"),
      (form) => {
        const kinds = [["knows", tr("tie_knows")], ["influences", tr("tie_influences")],
          ["influenced", tr("tie_influenced")]];
        field(form, tr("kind"), select("type", kinds, "knows"));
        field(form, tr("who_ours"), select("member", p.team.map((t) => [t.id, t.name]), p.team[0]?.id));
        const others = nodes.get({ filter: (n) => n.kind === "person" && n.id !== p.id });
        const contact = select("contact", others.map((n) => [n.id, n.label.replace(/^[+=−?] /, "")]), undefined);
        contact.prepend(el("option", "—", { value: "" }));
        field(form, tr("contact"), contact);
        field(form, tr("strength"), el("input", undefined, { name: "strength", type: "number", step: "0.05", value: "0.5" }));
        field(form, tr("since"), el("input", undefined, { name: "since", type: "date", value: today() }));
      },
      (data) => {
        const type = data.get("type");
        const other = type === "knows" ? data.get("member") : data.get("contact");
        const [from, to] = type === "influenced" ? [other, p.id] : [p.id, other];
        const strength = data.get("strength") === "" ? null : Number(data.get("strength"));
        const tie = { type: type === "knows" ? "knows" : "influences", from, to, strength, since: data.get("since") || null };
        return post("/web/ties", { account, person: p.id, tie });
      },
    ),
  ];
  if (p.ties.length) {
    forms.push(
      editForm(
        "ag-end-tie-form",
        tr("end_tie"),
        (form) => {
          const which = (t) => (t.type === "knows" ? "knows_other" : t.from === p.id ? "influences_other" : "influenced_by_other");
          const label = (t) => tr(which(t), { other: t.other });
          field(form, tr("tie"), select("tie", p.ties.map((t) => [tieKey(t), label(t)]), tieKey(p.ties[0])));
          field(form, tr("until"), el("input", undefined, { name: "until", type: "date", value: today() }));
        },
        (data) => {
          const [type, from, to] = String(data.get("tie")).split("|");
          return post("/web/ties/end", { account, person: p.id, type, from, to, until: data.get("until") });
        },
      ),
    );
  }
  forms.push(
    editForm(
      "ag-member-form",
      tr("add_member"),
      (form) => {
        field(form, tr("name"), el("input", undefined, { name: "name", type: "text", maxlength: "1000" }));
        field(form, tr("function"), select("function", FUNCTIONS.map((f) => [f, term(f)]), "account_manager"));
        field(form, tr("title"), el("input", undefined, { name: "title", type: "text" }));
        field(form, tr("strength"), el("input", undefined, { name: "strength", type: "number", step: "0.05", value: "0.5" }));
      },
      (data) =>
        post("/web/team", {
          account,
          person: p.id,
          member: { name: data.get("name"), function: data.get("function"), title: data.get("title") || null },
          tie: { strength: data.get("strength") === "" ? null : Number(data.get("strength")), since: today() },
        }),
    ),
  );
  return forms;
}

// ---- adding a person to a company of the account ------------------------------------------------------
const addPerson = document.getElementById("ag-add-person");

function fillAddPerson() {
  if (addPerson === null || addPerson.querySelector("form")) return;
  addPerson.append(
    editForm(
      "ag-person-form",
      tr("add_person"),
      (form) => {
        field(form, tr("name"), el("input", undefined, { name: "name", type: "text", maxlength: "1000" }));
        const names = Object.entries(companies).sort((a, b) => a[1].localeCompare(b[1]));
        field(form, tr("company"), select("company", names, account));
        field(form, tr("title"), el("input", undefined, { name: "title", type: "text" }));
        field(form, tr("department"), el("input", undefined, { name: "department", type: "text" }));
        field(form, tr("roles"), rolesBox([]));
        field(form, tr("stance"), select("stance", Object.keys(STANCES).map((k) => [k, `${STANCES[k].mark} ${term(k)}`]), "unknown"));
      },
      async (data) => {
        const person = {
          name: data.get("name"),
          company: data.get("company"),
          title: data.get("title") || null,
          department: data.get("department") || null,
          roles: data.getAll("roles"),
          stance: data.get("stance"),
        };
        const made = await post("/web/people", { account, person });
        return made.person;
      },
    ),
  );
}

async function openCard(id) {
  if (id === null || id === undefined) return;
  current = id;
  try {
    renderCard(await request(`/web/person?${query({ account, person: id })}`));
  } catch (error) {
    card.replaceChildren(el("p", tr("card_error", { error: error.message }), { class: "ag-error" }));
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
