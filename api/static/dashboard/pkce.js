// OAuth 2.0 authorization code flow with PKCE (RFC 7636, S256) for a public browser client.

const VERIFIER_BYTES = 32; // 43 characters once encoded, the shortest RFC 7636 allows

export function base64url(bytes) {
  let binary = "";
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function randomString(bytes = VERIFIER_BYTES) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function challengeS256(verifier) {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) {
    throw new Error("a PKCE code verifier is 43 to 128 unreserved characters");
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(digest);
}

export function authorizationUrl(oauth, redirectUri, state, challenge) {
  const url = new URL(oauth.authorization_url);
  url.search = new URLSearchParams({
    response_type: "code", client_id: oauth.client_id, redirect_uri: redirectUri,
    scope: oauth.scope, state, code_challenge: challenge, code_challenge_method: "S256",
  }).toString();
  return url.toString();
}

export function tokenRequestBody(oauth, code, verifier, redirectUri) {
  return new URLSearchParams({
    grant_type: "authorization_code", code, redirect_uri: redirectUri,
    client_id: oauth.client_id, code_verifier: verifier,
  }).toString();
}

// Where the flow keeps its state between leaving for the provider and coming back.
const KEY = "sa.pkce";

export async function begin(oauth, redirectUri, storage = sessionStorage) {
  const verifier = randomString();
  const state = randomString(16);
  storage.setItem(KEY, JSON.stringify({ verifier, state }));
  return authorizationUrl(oauth, redirectUri, state, await challengeS256(verifier));
}

export async function complete(oauth, params, redirectUri, storage = sessionStorage, fetcher = fetch) {
  const saved = JSON.parse(storage.getItem(KEY) || "null");
  storage.removeItem(KEY);
  if (params.get("error")) {
    throw new Error(`the identity provider refused: ${params.get("error_description") || params.get("error")}`);
  }
  if (!saved || params.get("state") !== saved.state) {
    throw new Error("the sign-in answer does not match the request this page made; sign in again");
  }
  const response = await fetcher(oauth.token_url, {
    method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: tokenRequestBody(oauth, params.get("code"), saved.verifier, redirectUri),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) {
    throw new Error(`the token endpoint answered ${response.status}: ${body.error_description || body.error || "no access token"}`);
  }
  return body.access_token;
}
