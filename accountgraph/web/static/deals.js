// The deals page: a deal's committee power map on request (the account map's JSON for the deal's committee and
// our ties to it, drawn with vis-network as the account page draws it). Text reaches the page as text only.
/* global vis */
import { query, replaceAll, request } from "./common.js";
import { styled } from "./stance.js";

const root = document.getElementById("ag-deals");
const account = root.dataset.account;
const box = document.getElementById("ag-deal-map-box");
const title = document.getElementById("ag-deal-map-title");
let network = null;
let nodes = null;
let edges = null;

async function showCommittee(button) {
  const data = await request(`/web/map?${query({ account, deal: button.dataset.deal })}`);
  const mapNodes = data.map.nodes.map(styled);
  box.hidden = false;
  title.textContent = button.dataset.title;
  if (network === null) {
    nodes = new vis.DataSet(mapNodes);
    edges = new vis.DataSet(data.map.edges);
    network = new vis.Network(document.getElementById("ag-deal-map"), { nodes, edges }, data.map.options);
    window.agNodes = nodes;
  } else {
    replaceAll(nodes, mapNodes);
    replaceAll(edges, data.map.edges);
    network.fit({ animation: false });
  }
  root.dataset.shown = button.dataset.deal;
  box.scrollIntoView();
}

for (const button of document.querySelectorAll(".ag-committee-map")) {
  button.addEventListener("click", () =>
    showCommittee(button).catch((error) => {
      box.hidden = false;
      title.textContent = error.message;
    }),
  );
}
document.body.dataset.ready = "1";
