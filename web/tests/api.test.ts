import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, OfflineError, request, useTokens } from "../src/lib/api";
import { online } from "../src/lib/offline";
import "../src/i18n/common";

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

afterEach(() => {
  vi.unstubAllGlobals();
  useTokens({ accessToken: async () => null, refreshed: async () => null });
});

describe("the API client's errors", () => {
  it("turns the API's error shape into an ApiError with its message, code and field errors", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        json(422, {
          error: {
            code: "VALIDATION_ERROR",
            message: "Some values are not valid: body.quantity_kg, body.price.",
            details: {
              fields: [
                { field: "body.quantity_kg", type: "greater_than", message: "Input should be greater than 0" },
                { field: "body.price", message: "Input should be a valid number" },
                { field: "body.price", message: "a second problem is not shown" },
                { field: "body", message: "a whole-body problem names no field" },
              ],
            },
          },
        }),
      ),
    );
    const err = await api.post("/orders/", { quantity_kg: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const apiError = err as ApiError;
    expect(apiError.status).toBe(422);
    expect(apiError.code).toBe("VALIDATION_ERROR");
    expect(apiError.message).toBe("Some values are not valid: body.quantity_kg, body.price.");
    expect(apiError.fieldErrors()).toEqual({ quantity_kg: "Input should be greater than 0", price: "Input should be a valid number" });
  });

  it("keeps a domain error's details", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => json(423, { error: { code: "ACCOUNT_SUSPENDED", message: "This account is suspended.", details: { reason: "fraud" } } })));
    const err = (await api.get("/auth/me").catch((e: unknown) => e)) as ApiError;
    expect(err.message).toBe("This account is suspended.");
    expect(err.details).toEqual({ reason: "fraud" });
    expect(err.fieldErrors()).toEqual({});
  });

  it("reads the gateway's own 401 ({\"message\"}) as UNAUTHORIZED", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => json(401, { message: "Unauthorized" })));
    const err = (await api.get("/orders/").catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(401);
    expect(err.code).toBe("UNAUTHORIZED");
    expect(err.message).toBe("Unauthorized");
  });

  it("gives a plain message for an answer that is not JSON", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("<html>Bad gateway</html>", { status: 502 })));
    const err = (await api.get("/listings/").catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe("HTTP_502");
    expect(err.message).toContain("502");
    expect(err.message).not.toContain("<html>");
  });

  it("says the network is gone (OfflineError) when fetch fails, and clears the online flag", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    online.value = true;
    const err = await api.get("/listings/").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OfflineError);
    expect((err as Error).message).toBe("This needs an internet connection. Connect and try again.");
    expect(online.value).toBe(false);
  });

  it("lets an abort through as an abort", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new DOMException("aborted", "AbortError"))));
    const err = (await api.get("/listings/").catch((e: unknown) => e)) as Error;
    expect(err.name).toBe("AbortError");
  });
});

describe("the API client's requests", () => {
  it("sends JSON, the bearer token, the Idempotency-Key and the query; reads 204 as nothing", async () => {
    const fetch = vi.fn(async (..._args: unknown[]) => new Response(null, { status: 204 }));
    vi.stubGlobal("fetch", fetch);
    useTokens({ accessToken: async () => "A1", refreshed: async () => null });
    const answer = await request("POST", "/orders/", { body: { a: 1 }, idempotencyKey: "k-1", query: { limit: 5, cursor: null, q: "" } });
    expect(answer).toBeUndefined();
    const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(url).toBe("/orders/?limit=5");
    const headers = init.headers as Record<string, string>;
    expect(headers.Authorization).toBe("Bearer A1");
    expect(headers["Idempotency-Key"]).toBe("k-1");
    expect(headers["Content-Type"]).toBe("application/json");
    expect(init.body).toBe('{"a":1}');
  });

  it("sends no token for an anonymous operation", async () => {
    const fetch = vi.fn(async (..._args: unknown[]) => json(200, { ok: true }));
    vi.stubGlobal("fetch", fetch);
    const accessToken = vi.fn(async () => "A1");
    useTokens({ accessToken, refreshed: async () => null });
    expect(await api.post("/auth/login", { email: "a@b.ug", password: "x" }, { auth: false })).toEqual({ ok: true });
    expect(accessToken).not.toHaveBeenCalled();
    expect((fetch.mock.calls[0][1] as RequestInit).headers).not.toHaveProperty("Authorization");
  });

  it("retries once with a refreshed token after a 401, and not again", async () => {
    const fetch = vi.fn(async (_url: unknown, init?: RequestInit) => {
      const auth = (init?.headers as Record<string, string>).Authorization;
      return auth === "Bearer A2" ? json(200, { id: "u1" }) : json(401, { message: "Unauthorized" });
    });
    vi.stubGlobal("fetch", fetch);
    const refreshed = vi.fn(async () => "A2");
    useTokens({ accessToken: async () => "A1", refreshed });
    expect(await api.get("/auth/me")).toEqual({ id: "u1" });
    expect(refreshed).toHaveBeenCalledTimes(1);
    expect(refreshed).toHaveBeenCalledWith("A1");

    refreshed.mockResolvedValue("A3"); // still refused: one retry, then the 401 is the answer
    const err = (await api.get("/auth/me").catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(401);
    expect(fetch).toHaveBeenCalledTimes(4);
  });
});
