// Calls to the API and what a refusal means to the person looking at the page.

export class ApiProblem extends Error {
  constructor(kind, message, status) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

export async function getJson(path, token) {
  let response;
  try {
    response = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  } catch (e) {
    throw new ApiProblem("network", `The API could not be reached (${e.message}).`, 0);
  }
  const body = await response.json().catch(() => null);
  if (response.ok) return body;
  throw explain(response.status, body || {}, response.headers.get("Retry-After"));
}

export async function postJson(path, payload) {
  const response = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
  });
  const body = await response.json().catch(() => null);
  if (response.ok) return body;
  throw explain(response.status, body || {}, response.headers.get("Retry-After"));
}

export function explain(status, problem, retryAfter) {
  const detail = typeof problem.detail === "string" ? problem.detail : "";
  if (status === 401) {
    if (/expired/i.test(detail)) {
      return new ApiProblem("expired", "Your sign-in has expired. Sign in again to see the numbers.", status);
    }
    return new ApiProblem("unauthorized", `The API did not accept your sign-in: ${detail || "no token"}. Sign in again.`, status);
  }
  if (status === 403) {
    if (/not a member/i.test(detail)) return new ApiProblem("membership", `No membership: ${detail}.`, status);
    if (/scope/i.test(detail)) return new ApiProblem("scope", `Your token cannot read brand analytics: ${detail}.`, status);
    return new ApiProblem("forbidden", `Not allowed: ${detail}.`, status);
  }
  if (status === 429 || status === 503) {
    const wait = retryAfter ? ` Try again in ${retryAfter} s.` : "";
    const what = status === 429 ? "Too many requests for now." : "The analytics database is not answering right now.";
    return new ApiProblem(status === 429 ? "limited" : "unavailable", `${what}${wait} (${detail})`, status);
  }
  return new ApiProblem("refused", detail || `The API answered ${status}.`, status);
}
