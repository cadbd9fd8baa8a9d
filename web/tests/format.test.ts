import { describe, expect, it } from "vitest";
import { date, dateTime, kg, maskPhone, perKg, ugx } from "../src/lib/format";

describe("money", () => {
  it("writes shillings with thousands separators and no decimals", () => {
    expect(ugx(1925)).toBe("UGX 1,925");
    expect(ugx(1234567.6)).toBe("UGX 1,234,568");
    expect(ugx(0)).toBe("UGX 0");
    expect(ugx(-2500)).toBe("-UGX 2,500");
    expect(ugx(null)).toBe("–");
    expect(perKg(950)).toBe("UGX 950/kg");
  });
  it("writes kilograms", () => {
    expect(kg(1500)).toBe("1,500 kg");
    expect(kg(2.5)).toBe("2.5 kg");
  });
});

describe("time", () => {
  it("shows East Africa Time whatever the device's zone", () => {
    // 21:30 UTC on 31 Dec is 00:30 on 1 Jan in Kampala (UTC+3)
    expect(dateTime("2026-12-31T21:30:00Z")).toBe("1 Jan 2027, 00:30 EAT");
    expect(date("2026-12-31T21:30:00Z", "lg")).toBe("1 Jan 2027");
    expect(date("2026-08-15T12:00:00Z", "lg")).toBe("15 Agu 2026");
  });
});

describe("phones", () => {
  it("masks all but the country prefix and the last three digits", () => {
    expect(maskPhone("+256772123456")).toBe("+2567•••••456");
  });
});
