import { describe, expect, it } from "vitest";
import { ApiError } from "../src/lib/api";
import { missingLuganda, t } from "../src/lib/i18n";
import { messageHref, messageLink } from "../src/pages/account/links";
import "../src/pages/account/messages";
import "../src/pages/account/nav";
import { routes } from "../src/pages/account/routes";
import { accountId, fieldErrorsOf, safeNext, splitTags } from "../src/pages/account/util";

describe("the account area", () => {
  it("has Luganda for every word, the menu's included", () => {
    expect(missingLuganda()).toEqual([]);
    for (const route of routes.filter((r) => r.nav)) {
      expect(t(route.nav!, {}, "lg")).not.toBe(route.nav);
      expect(t(route.nav!, {}, "en")).not.toBe(route.nav);
    }
  });

  it("goes back only to a path inside the app after signing in", () => {
    expect(safeNext("/orders/1")).toBe("/orders/1");
    expect(safeNext(null)).toBe("/");
    expect(safeNext("https://evil.example")).toBe("/");
    expect(safeNext("//evil.example")).toBe("/");
    expect(safeNext("/signin?next=/x")).toBe("/");
  });

  it("shows a 422's field problems and a domain error's named field beside their fields", () => {
    const invalid = new ApiError(422, "VALIDATION_ERROR", "Some values are not valid: body.phone.", {
      fields: [{ field: "body.phone", message: "not a phone number" }],
    });
    expect(fieldErrorsOf(invalid)).toEqual({ phone: "not a phone number" });
    const weak = new ApiError(422, "UNPROCESSABLE", "The password is too weak: use at least 8 characters.", { field: "password" });
    expect(fieldErrorsOf(weak)).toEqual({ password: "The password is too weak: use at least 8 characters." });
    expect(fieldErrorsOf(new Error("x"))).toEqual({});
    expect(fieldErrorsOf(null)).toEqual({});
  });

  it("asks for a reset code by e-mail when the user typed an address, else by phone", () => {
    expect(accountId(" Nakato@Example.com ")).toEqual({ email: "Nakato@Example.com" });
    expect(accountId("0772 123-456")).toEqual({ phone: "0772123456" });
    expect(accountId("+256772123456")).toEqual({ phone: "+256772123456" });
  });

  it("splits what a farmer grows", () => {
    expect(splitTags(" maize, beans ,, matoke ")).toEqual(["maize", "beans", "matoke"]);
    expect(splitTags("")).toEqual([]);
  });

  it("links to a new conversation, about a listing or not, by routes that exist", () => {
    expect(messageLink("01FARMER")).toBe("/messages/new/01FARMER");
    expect(messageLink("01FARMER", "01LISTING")).toBe("/messages/new/01FARMER/01LISTING");
    expect(messageHref("a b", "c/d")).toBe("#/messages/new/a%20b/c%2Fd");
    const paths = routes.map((r) => r.path);
    expect(paths).toContain("/messages/new/:to");
    expect(paths).toContain("/messages/new/:to/:listing");
  });
});
