// The customer tree page: the account's companies (vis-network, loaded before this module) with coverage and
// risk per company. It opens folded so that it fits readably, every branch folds and unfolds (double-click,
// or the card's button), and the search box finds a company and unfolds the branches above it.
/* global vis */
import { el, query, replaceAll, request, tr } from "./common.js";

const OPEN_BUDGET = 30; // at most this many companies are shown when the page opens (whole levels, top first)

const root = document.getElementById("ag-tree-page");
const account = root.dataset.account;
const figures = document.getElementById("ag-tree-figures");
const card = document.getElementById("ag-tree-card");
const hint = document.getElementById("ag-tree-hint");
const found = document.getElementById("ag-tree-found");
const shownLine = document.getElementById("ag-tree-shown");

const all = new Map(); // id -> node as the server sent it
const children = new Map(); // id -> child ids
const folded = new Set();
let allEdges = [];
let nodes = null;
let edges = null;
let network = null;
let matches = [];
let matchAt = -1;

const below = (id) => {
  const out = [];
  for (const c of children.get(id) ?? []) out.push(c, ...below(c));
  return out;
};

function shown(id) {
  for (let p = all.get(id).parent; p !== null && p !== undefined; p = all.get(p).parent) {
    if (folded.has(p)) return false;
  }
  return true;
}

function drawn(node) {
  if (!folded.has(node.id)) return node;
  const hidden = below(node.id).length;
  const mark = hidden === 1 ? tr("folded_one") : tr("folded", { n: hidden });
  return { ...node, label: `${node.label}\n${mark}`, folded: true };
}

function render(refit = true) {
  const visible = [...all.values()].filter((n) => shown(n.id));
  const ids = new Set(visible.map((n) => n.id));
  replaceAll(nodes, visible.map(drawn));
  replaceAll(edges, allEdges.filter((e) => ids.has(e.from) && ids.has(e.to)));
  if (refit) fit();
  root.dataset.shown = String(visible.length);
  shownLine.textContent =
    visible.length === all.size
      ? tr("tree_all", { n: all.size })
      : tr("tree_some", { shown: visible.length, n: all.size });
  root.dataset.folded = [...folded].sort().join(" ");
}

function foldForOpening() {
  // unfold whole levels, top first, while the companies shown stay within the budget; fold the rest
  folded.clear();
  const levels = [];
  for (const n of all.values()) (levels[n.depth] ??= []).push(n.id);
  let count = 1;
  let open = true;
  for (const level of levels) {
    const parents = (level ?? []).filter((id) => (children.get(id) ?? []).length);
    const next = parents.reduce((sum, id) => sum + children.get(id).length, 0);
    if (open && count + next <= OPEN_BUDGET) count += next;
    else {
      open = false;
      parents.forEach((id) => folded.add(id));
    }
  }
}

function fit() {
  network.fit({ animation: false });
  if (network.getScale() > 1) network.moveTo({ scale: 1, animation: false }); // a small tree at its own size
}

function toggle(id) {
  if (!(children.get(id) ?? []).length) return;
  if (folded.has(id)) folded.delete(id);
  else folded.add(id);
  render(false);
  showCard(id);
}

function reveal(id) {
  for (let p = all.get(id).parent; p !== null && p !== undefined; p = all.get(p).parent) folded.delete(p);
  render(false);
  network.selectNodes([id]);
  network.focus(id, { scale: 1, animation: false });
  showCard(id);
}

function showCard(id) {
  const n = all.get(id);
  const c = n.card;
  card.replaceChildren(el("h3", c.heading), el("p", c.sub, { class: "ag-sub" }));
  card.dataset.company = id;
  const table = el("table");
  for (const [k, v] of c.rows) {
    const tr = el("tr");
    tr.append(el("th", k, { scope: "row" }), el("td", v));
    table.append(tr);
  }
  card.append(table);
  for (const l of c.lists) {
    card.append(el("h2", l.heading));
    if (!l.items.length) card.append(el("p", l.empty, { class: "ag-hint" }));
    else {
      const ul = el("ul");
      for (const item of l.items) ul.append(el("li", item));
      card.append(ul);
    }
  }
  const kids = (children.get(id) ?? []).length;
  if (kids) {
    const button = el("button", folded.has(id) ? tr("unfold", { n: below(id).length }) : tr("fold"), {
      type: "button",
      id: "ag-tree-toggle",
    });
    button.addEventListener("click", () => toggle(id));
    card.append(button);
  }
  card.hidden = false;
  hint.hidden = true;
}

function find(text) {
  const wanted = text.trim().toLocaleLowerCase();
  if (!wanted) return;
  const fresh = [...all.values()]
    .filter((n) => n.card.heading.toLocaleLowerCase().includes(wanted) || String(n.id).toLocaleLowerCase() === wanted)
    .map((n) => n.id);
  if (fresh.join("\n") !== matches.join("\n")) {
    matches = fresh;
    matchAt = -1;
  }
  if (!matches.length) {
    found.textContent = tr("no_company");
    return;
  }
  matchAt = (matchAt + 1) % matches.length;
  found.textContent = tr("match_of", { at: matchAt + 1, n: matches.length, name: all.get(matches[matchAt]).card.heading });
  reveal(matches[matchAt]);
}

function legend(items) {
  const ul = document.getElementById("ag-tree-legend");
  for (const item of items) {
    const swatch = el("span", "", { class: "ag-swatch" });
    swatch.style.background = item.color;
    const li = el("li");
    li.append(swatch, document.createTextNode(` ${item.label}`));
    ul.append(li);
  }
}

async function load() {
  const data = await request(`/web/tree?${query({ account })}`);
  for (const n of data.tree.nodes) {
    all.set(n.id, n);
    if (n.parent !== null && n.parent !== undefined) {
      if (!children.has(n.parent)) children.set(n.parent, []);
      children.get(n.parent).push(n.id);
    }
  }
  allEdges = data.tree.edges;
  figures.textContent = tr("tree_figures", {
    n: data.companies, coverage: data.coverage.toFixed(1), risk: data.risk.toFixed(1),
  });
  legend(data.tree.legend[0].items);
  nodes = new vis.DataSet([]);
  edges = new vis.DataSet([]);
  network = new vis.Network(document.getElementById("ag-tree"), { nodes, edges }, data.tree.options);
  network.on("click", (event) => {
    if (event.nodes.length) showCard(event.nodes[0]);
  });
  network.on("doubleClick", (event) => {
    if (event.nodes.length) toggle(event.nodes[0]);
  });
  foldForOpening();
  render(true);
  window.agTree = { network, nodes, toggle, reveal };
  document.body.dataset.ready = "1";
}

document.getElementById("ag-tree-search").addEventListener("submit", (event) => {
  event.preventDefault();
  find(document.getElementById("ag-tree-query").value);
});
document.getElementById("ag-tree-expand").addEventListener("click", () => {
  folded.clear();
  render(true);
});
document.getElementById("ag-tree-collapse").addEventListener("click", () => {
  for (const [id, kids] of children) if (kids.length && all.get(id).parent !== null) folded.add(id);
  render(true);
});
document.getElementById("ag-tree-fit").addEventListener("click", fit);

load().catch((error) => {
  figures.textContent = tr("tree_error", { error: error.message });
  figures.classList.add("ag-error");
});
