import { describe, expect, it } from "vitest";
import { missingLuganda, register, t } from "../src/lib/i18n";

// Every area's words: the shell's and each area's messages module.
import.meta.glob(["../src/i18n/*.ts", "../src/pages/*/messages.ts"], { eager: true });

describe("i18n", () => {
  it("has a Luganda text for every English one", () => {
    expect(missingLuganda()).toEqual([]);
  });
  it("fills in variables and falls back to English, then to the key", () => {
    register({ en: { "test.hello": "Hello {name}", "test.only_en": "English" }, lg: { "test.hello": "Ki kati {name}" } });
    expect(t("test.hello", { name: "Akello" }, "lg")).toBe("Ki kati Akello");
    expect(t("test.only_en", {}, "lg")).toBe("English");
    expect(t("test.unknown")).toBe("test.unknown");
  });
});
