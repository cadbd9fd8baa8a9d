/** The session. The access token (15 minutes) lives in memory only; the refresh token is kept in
 * localStorage so a farmer who reopens the app (offline, or a day later) is still signed in. Each
 * refresh rotates it (the API revokes the whole family if an old one is presented again), so a
 * refresh runs under a Web Lock shared by the tabs and re-reads the stored token inside the lock:
 * two tabs never present the same token twice. See the README's "Web app" section. */
import { signal } from "@preact/signals";
import { api, ApiError, useTokens } from "./api";
import { setLang, type Lang } from "./i18n";

export type Role = "farmer" | "buyer" | "both" | "transporter" | "admin";

export interface Me {
  id: string;
  role: Role;
  fullName?: string | null;
  email?: string | null;
  phone?: string | null;
  phone_verified?: boolean;
  language?: Lang;
  district?: string | null;
  [key: string]: unknown;
}

interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

const REFRESH_KEY = "soko.refresh";
export const me = signal<Me | null>(null);
export const sessionReady = signal(false);

let access: { token: string; expiresAt: number } | null = null;

function storedRefresh(): string | null {
  try {
    return localStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

function store(pair: TokenPair): void {
  access = { token: pair.access_token, expiresAt: Date.now() + pair.expires_in * 1000 };
  try {
    localStorage.setItem(REFRESH_KEY, pair.refresh_token);
  } catch {
    // private mode: the session lasts as long as the page
  }
}

function clear(): void {
  access = null;
  me.value = null;
  try {
    localStorage.removeItem(REFRESH_KEY);
  } catch {
    // nothing stored
  }
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? ((await locks.request("soko-refresh", fn)) as T) : fn();
}

let inflight: Promise<string | null> | null = null;

/** Rotate the refresh token once, whoever asks; null (and signed out) if the API refuses it. */
function refresh(): Promise<string | null> {
  inflight ??= withLock(async () => {
    const before = access?.token;
    const token = storedRefresh();
    if (!token) return null;
    try {
      const pair = await api.post<TokenPair>("/auth/refresh", { refresh_token: token }, { auth: false });
      store(pair);
      return pair.access_token;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 422)) {
        clear();
        return null;
      }
      if (access && access.token !== before) return access.token;
      throw err;
    }
  }).finally(() => {
    inflight = null;
  });
  return inflight;
}

useTokens({
  accessToken: () => accessToken(),
  async refreshed(failed: string) {
    if (access && access.token !== failed) return access.token;
    access = null;
    return refresh();
  },
});

/** The current access token (the WebSocket's `?token=`), refreshed if needed. */
export async function accessToken(): Promise<string | null> {
  if (access && access.expiresAt - 30_000 > Date.now()) return access.token;
  return storedRefresh() ? refresh() : null;
}

const RETRIES_MS = [1000, 2000, 4000];

/** The signed-in account, if the stored session still holds. A refused session (401) signs out;
 * a failure that says nothing about the session (offline, a 5xx) is retried a few times, then
 * again when the browser comes back online, so a slow or absent network never signs anyone out. */
export async function loadMe(): Promise<Me | null> {
  const settled = (user: Me | null): Me | null => {
    sessionReady.value = true;
    return user;
  };
  for (let attempt = 0; ; attempt++) {
    try {
      if (!storedRefresh() && !access) return settled(null);
      me.value = await api.get<Me>("/auth/me");
      if (me.value.language === "en" || me.value.language === "lg") setLang(me.value.language);
      return settled(me.value);
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) {
        if (err.status === 401) clear();
        return settled(null);
      }
      if (attempt >= RETRIES_MS.length) {
        if (typeof window !== "undefined") window.addEventListener("online", () => void loadMe(), { once: true });
        return settled(null);
      }
      await new Promise((resolve) => setTimeout(resolve, RETRIES_MS[attempt]));
    }
  }
}

export type Credentials = { email: string; password: string } | { phone: string; password: string };

export async function signIn(credentials: Credentials): Promise<Me | null> {
  const pair = await api.post<TokenPair>("/auth/login", credentials, { auth: false });
  store(pair);
  return loadMe();
}

/** Keep a token pair the API issued outside sign-in (registration answers with one). */
export async function adopt(pair: TokenPair): Promise<Me | null> {
  store(pair);
  return loadMe();
}

export async function signOut(): Promise<void> {
  const token = storedRefresh();
  clear();
  if (token) {
    try {
      await api.post("/auth/logout", { refresh_token: token }, { auth: false });
    } catch {
      // the token is forgotten here either way; the API expires it
    }
  }
}

export function hasRole(user: Me | null, ...roles: Role[]): boolean {
  if (!user) return false;
  if (roles.includes(user.role)) return true;
  return user.role === "both" && (roles.includes("farmer") || roles.includes("buyer"));
}

/** Tabs learn of a sign-out (or another account) in another tab. */
if (typeof window !== "undefined") {
  window.addEventListener("storage", (event) => {
    if (event.key === REFRESH_KEY && event.newValue === null) {
      access = null;
      me.value = null;
    }
  });
}
