import { describe, expect, it } from "vitest";
import { dayLabel, HEAVY_RAIN_MM } from "../src/pages/farmer/WeatherPanel";

describe("the weather panel's days", () => {
  it("names a forecast day in English and Luganda", () => {
    expect(dayLabel("2026-12-03", "en")).toBe("Thu 3");
    expect(dayLabel("2026-12-03", "lg")).toBe("Lwakuna 3/12");
    expect(dayLabel("2026-12-06", "lg")).toBe("Sabbiiti 6/12");
  });

  it("calls out heavy rain from the advice's default threshold", () => {
    expect(HEAVY_RAIN_MM).toBe(30);
  });
});
