import { afterEach, describe, expect, it } from "vitest";
import { lang } from "../src/lib/i18n";
import { ageText } from "../src/pages/farmer/age";
import "../src/pages/farmer/messages";

describe("a price's age in words", () => {
  afterEach(() => {
    lang.value = "en";
  });
  it("counts as the API and USSD do (soko.ml.freshness.age_text)", () => {
    lang.value = "en";
    expect([0, 1, 13, 14, 59, 60, 596, 731].map(ageText)).toEqual([
      "from today",
      "1 day old",
      "13 days old",
      "2 weeks old",
      "8 weeks old",
      "2 months old",
      "20 months old",
      "2 years old",
    ]);
  });
  it("says it in Luganda", () => {
    lang.value = "lg";
    expect([0, 1, 5, 21, 596, 3653].map(ageText)).toEqual([
      "ya leero",
      "olunaku 1 emabega",
      "ennaku 5 emabega",
      "wiiki 3 emabega",
      "emyezi 20 emabega",
      "emyaka 10 emabega",
    ]);
  });
});
