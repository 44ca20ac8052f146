// How a map shows a person's stance (the account page's map and a deal's committee map): a colour-blind-safe
// palette (Okabe–Ito) with a second channel, a mark before the name; a coverage gap keeps its own border.

import { term } from "./common.js";

export const STANCES = {
  supporter: { color: "#0072B2", mark: "+", label: "supporter" },
  neutral: { color: "#F0E442", mark: "=", label: "neutral" },
  opponent: { color: "#D55E00", mark: "−", label: "opponent" },
  unknown: { color: "#BBBBBB", mark: "?", label: "unknown" },
};

for (const [key, s] of Object.entries(STANCES)) s.label = term(key); // in the page's language

// A coverage gap: a wide dashed near-black border (the server's dashes), never a colour of the stance palette.
const GAP_BORDER = "#1c2833";

export function styled(node) {
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
