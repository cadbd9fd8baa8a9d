import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

type Auth = typeof import("../src/lib/auth");
type Api = typeof import("../src/lib/api");

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

const pair = (n: number) => ({ access_token: `A${n}`, refresh_token: `F.R${n}`, token_type: "Bearer", expires_in: 900 });

interface Call {
  path: string;
  method: string;
  auth?: string;
  body?: Record<string, unknown>;
}

/** A fake API: `/auth/login` issues A1/R1; `/auth/refresh` rotates to A2/R2 (after a pause, so
 * concurrent callers overlap) unless refused; `/data` answers 200 to the newest access token only. */
function fakeApi(options: { refuse?: boolean } = {}) {
  const calls: Call[] = [];
  let current = "A1";
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    const headers = (init.headers ?? {}) as Record<string, string>;
    const call: Call = { path: url, method: init.method ?? "GET", auth: headers.Authorization, body: init.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    if (url === "/auth/login") return json(200, pair(1));
    if (url === "/auth/refresh") {
      await new Promise((r) => setTimeout(r, 20));
      if (options.refuse) return json(401, { error: { code: "INVALID_REFRESH_TOKEN", message: "Please sign in again.", details: {} } });
      current = "A2";
      return json(200, pair(2));
    }
    if (url === "/auth/me") return json(200, { id: "u1", role: "buyer", language: "en" });
    if (url === "/data") return headers.Authorization === `Bearer ${current}` ? json(200, { ok: true }) : json(401, { message: "Unauthorized" });
    if (url === "/auth/logout") return new Response(null, { status: 204 });
    return json(404, { error: { code: "NOT_FOUND", message: "No such route.", details: {} } });
  });
  return { calls, fetch, expire: () => (current = "A-other") };
}

let auth: Auth;
let api: Api;

beforeEach(async () => {
  localStorage.clear();
  vi.resetModules();
  api = await import("../src/lib/api");
  auth = await import("../src/lib/auth");
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the session", () => {
  it("signs in, keeps the refresh token, and loads the account", async () => {
    const fake = fakeApi();
    vi.stubGlobal("fetch", fake.fetch);
    const me = await auth.signIn({ phone: "+256772123456", password: "secret-pass" });
    expect(me?.id).toBe("u1");
    expect(auth.me.value?.id).toBe("u1");
    expect(localStorage.getItem("soko.refresh")).toBe("F.R1");
    expect(fake.calls.find((c) => c.path === "/auth/login")?.body).toEqual({ phone: "+256772123456", password: "secret-pass" });
    expect(fake.calls.find((c) => c.path === "/auth/me")?.auth).toBe("Bearer A1");
  });

  it("refreshes once for concurrent 401s, retries each with the new token, and stores the rotated refresh token", async () => {
    const fake = fakeApi();
    vi.stubGlobal("fetch", fake.fetch);
    await auth.signIn({ email: "a@example.ug", password: "secret-pass" });
    fake.expire(); // the API no longer takes A1 (e.g. revoked): the next calls get 401

    // A1 is refused from now on (the fake answers 200 only to the newest token once rotated)
    const answers = await Promise.all([api.api.get("/data"), api.api.get("/data"), api.api.get("/data")]);
    expect(answers).toEqual([{ ok: true }, { ok: true }, { ok: true }]);

    const refreshes = fake.calls.filter((c) => c.path === "/auth/refresh");
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0].body).toEqual({ refresh_token: "F.R1" });
    const data = fake.calls.filter((c) => c.path === "/data");
    expect(data.filter((c) => c.auth === "Bearer A1")).toHaveLength(3);
    expect(data.filter((c) => c.auth === "Bearer A2")).toHaveLength(3);
    expect(localStorage.getItem("soko.refresh")).toBe("F.R2");

    // the new access token is used directly afterwards: no second refresh
    await api.api.get("/data");
    expect(fake.calls.filter((c) => c.path === "/auth/refresh")).toHaveLength(1);
    expect(fake.calls.at(-1)?.auth).toBe("Bearer A2");
  });

  it("a page reloaded with only the refresh token refreshes first, once", async () => {
    const fake = fakeApi();
    fake.expire();
    vi.stubGlobal("fetch", fake.fetch);
    localStorage.setItem("soko.refresh", "F.R1");
    const answers = await Promise.all([api.api.get("/data"), api.api.get("/data")]);
    expect(answers).toEqual([{ ok: true }, { ok: true }]);
    expect(fake.calls.filter((c) => c.path === "/auth/refresh")).toHaveLength(1);
    expect(fake.calls.filter((c) => c.path === "/data").every((c) => c.auth === "Bearer A2")).toBe(true);
    expect(localStorage.getItem("soko.refresh")).toBe("F.R2");
  });

  it("signs out when the API refuses the refresh token", async () => {
    const fake = fakeApi({ refuse: true });
    vi.stubGlobal("fetch", fake.fetch);
    await auth.signIn({ email: "a@example.ug", password: "secret-pass" });
    fake.expire();
    const results = await Promise.allSettled([api.api.get("/data"), api.api.get("/data")]);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      const err = (r as PromiseRejectedResult).reason as InstanceType<Api["ApiError"]>;
      expect(err).toBeInstanceOf(api.ApiError);
      expect(err.status).toBe(401);
    }
    expect(fake.calls.filter((c) => c.path === "/auth/refresh")).toHaveLength(1);
    expect(auth.me.value).toBeNull();
    expect(localStorage.getItem("soko.refresh")).toBeNull();
    expect(await auth.accessToken()).toBeNull();
  });

  it("signs out: forgets the tokens and revokes the refresh token", async () => {
    const fake = fakeApi();
    vi.stubGlobal("fetch", fake.fetch);
    await auth.signIn({ email: "a@example.ug", password: "secret-pass" });
    await auth.signOut();
    expect(auth.me.value).toBeNull();
    expect(localStorage.getItem("soko.refresh")).toBeNull();
    expect(fake.calls.at(-1)).toMatchObject({ path: "/auth/logout", body: { refresh_token: "F.R1" } });
    expect(fake.calls.at(-1)?.auth).toBeUndefined();
  });

  it("hasRole counts 'both' as farmer and buyer", () => {
    expect(auth.hasRole({ id: "1", role: "both" }, "farmer")).toBe(true);
    expect(auth.hasRole({ id: "1", role: "buyer" }, "farmer")).toBe(false);
    expect(auth.hasRole({ id: "1", role: "admin" }, "admin")).toBe(true);
    expect(auth.hasRole(null, "buyer")).toBe(false);
  });
});
