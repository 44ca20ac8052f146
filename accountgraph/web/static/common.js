// What the workspace's page modules share: building elements (text only through textContent) and requests
// to this server (writes carry the session's CSRF token).

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
  const response = await fetch(url, { credentials: "same-origin", ...options });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new HttpError(response.status, body);
  return body;
}

export const query = (params) => new URLSearchParams(params).toString();

export function replaceAll(set, items) {
  const keep = new Set(items.map((i) => i.id));
  set.remove(set.getIds().filter((id) => !keep.has(id)));
  set.update(items);
}
