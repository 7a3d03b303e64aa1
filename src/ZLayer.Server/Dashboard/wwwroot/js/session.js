// The signed-in token: kept in sessionStorage (this tab only, gone when it closes), and what the
// page can tell from it without asking the server.

const KEY = 'zlayer.dashboard.token';
const ROLE_CLAIMS = ['role', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];

export function currentToken() {
  return sessionStorage.getItem(KEY);
}

export function signIn(token) {
  sessionStorage.setItem(KEY, token);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

/**
 * The claims of a JWT, read without checking its signature: only to adapt the page (hide buttons
 * a viewer may not use, notice expiry). The server decides what is allowed. Null when the token
 * is not a JWT.
 */
export function claimsOf(token) {
  const parts = (token ?? '').split('.');
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1].length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

/** The token's role (admin, operator, viewer), or null when it names none. */
export function roleOf(claims) {
  for (const name of ROLE_CLAIMS) {
    const value = claims?.[name];
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && value.length > 0) return value.includes('admin') ? 'admin' : value.includes('operator') ? 'operator' : String(value[0]);
  }
  return null;
}

/** When the token expires, or null when it does not say. */
export function expiryOf(claims) {
  return typeof claims?.exp === 'number' ? new Date(claims.exp * 1000) : null;
}
