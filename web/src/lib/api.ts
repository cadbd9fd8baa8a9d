/** The API client: JSON over fetch to the public HTTP API, the API's error shape turned into an
 * `ApiError` whose message is shown to the user, one silent token refresh on a 401, and a clear
 * `OfflineError` when the network is not there. */
import { config } from "./config";
import { t } from "./i18n";
import { online } from "./offline";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Field-level problems of a 422 (`details.fields[] = {field: "body.quantity_kg", message}`),
   * keyed by the field's last name ("quantity_kg"). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    const fields = (this.details as { fields?: { field?: string; message?: string }[] }).fields;
    if (Array.isArray(fields)) {
      for (const f of fields) {
        const name = (f.field ?? "").split(".").filter((p) => p !== "body").pop();
        if (name && f.message && !(name in out)) out[name] = f.message;
      }
    }
    return out;
  }
}

export class OfflineError extends Error {
  constructor() {
    super(t("offline.action"));
    this.name = "OfflineError";
  }
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  /** false for the anonymous operations (browse, sign in); default true when signed in. */
  auth?: boolean;
  idempotencyKey?: string;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Answer as a Blob (PDF and CSV downloads). */
  blob?: boolean;
}

/** What supplies and renews the access token (lib/auth.ts; injected to keep this module pure). */
export interface TokenSource {
  accessToken(): Promise<string | null>;
  refreshed(failedToken: string): Promise<string | null>;
}

let tokens: TokenSource = { accessToken: async () => null, refreshed: async () => null };

export function useTokens(source: TokenSource): void {
  tokens = source;
}

export function url(path: string, query?: RequestOptions["query"]): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  }
  const qs = params.toString();
  return `${config().apiBaseUrl}${path}${qs ? `?${qs}` : ""}`;
}

async function send(method: string, path: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
  try {
    const response = await fetch(url(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
    online.value = true;
    return response;
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    online.value = false;
    throw new OfflineError();
  }
}

export async function toError(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; details?: Record<string, unknown> }; message?: string };
    if (body.error?.message) return new ApiError(response.status, body.error.code ?? "ERROR", body.error.message, body.error.details ?? {});
    if (body.message) return new ApiError(response.status, response.status === 401 ? "UNAUTHORIZED" : "ERROR", body.message);
  } catch {
    // not JSON: fall through to a generic message
  }
  return new ApiError(response.status, "HTTP_" + response.status, t("error.generic", { status: response.status }));
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const wantsAuth = options.auth !== false;
  let token = wantsAuth ? await tokens.accessToken() : null;
  let response = await send(method, path, options, token);
  if (response.status === 401 && token) {
    token = await tokens.refreshed(token);
    if (token) response = await send(method, path, options, token);
  }
  if (!response.ok) throw await toError(response);
  if (options.blob) return (await response.blob()) as T;
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>("GET", path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>("POST", path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>("PUT", path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>("PATCH", path, { ...options, body }),
  delete: <T>(path: string, options?: RequestOptions) => request<T>("DELETE", path, options),
};

/** A fresh key for one user action (kept while the action is retried, new for the next). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
