// What the workspace's page modules share: building elements (text only through textContent), requests
// to this server (writes carry the session's CSRF token; every request names the page's language, so the
// server's answers and error messages follow the workspace's switch), and the page's words (`tr`, `term`).

// The words of the page's language: a JSON block the server writes (`#ag-texts`; no inline script).
const TEXTS = JSON.parse(document.getElementById("ag-texts")?.textContent || "{}");
const LANG = document.documentElement.lang || "en";

// A text of the page's language with its `{fields}` filled (as text: never markup).
export function tr(key, fields = {}) {
  const text = TEXTS[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in fields ? String(fields[name]) : whole));
}

// A stored word (stance, role, layer, function, tie kind) in the page's language: in English as it is stored,
// its underscores as spaces.
export const term = (value) => String((TEXTS.terms ?? {})[value] ?? value).replaceAll("_", " ");

// Items of a list joined as the page's language joins them (", " or "、").
export const joinList = (items) => items.join(TEXTS.separator ?? ", ");

// An interaction's kind in the page's language.
export const kindName = (value) => (TEXTS.kinds ?? {})[value] ?? value;

export function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

export class HttpError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function request(url, options = {}) {
  const headers = { "Accept-Language": LANG, ...(options.headers ?? {}) };
  const response = await fetch(url, { credentials: "same-origin", ...options, headers });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new HttpError(response.status, body);
  return body;
}

export const query = (params) => new URLSearchParams(params).toString();

// Make a vis DataSet hold `items` (by id): the others removed, these added or replaced. An update merges, so
// what an item had and no longer has (a path's mark, a gap's dashes) is cleared (null: vis-network's default);
// `hidden` is the page's own (its filters), kept.
export function replaceAll(set, items) {
  const keep = new Set(items.map((i) => i.id));
  set.remove(set.getIds().filter((id) => !keep.has(id)));
  set.update(
    items.map((item) => {
      const before = set.get(item.id);
      if (before === null) return item;
      const gone = Object.keys(before).filter((k) => k !== "hidden" && before[k] !== null && !(k in item));
      return { ...Object.fromEntries(gone.map((k) => [k, null])), ...item };
    }),
  );
}
