import { describe, expect, it } from "vitest";
import { setLang } from "../src/lib/i18n";
import { kgOf } from "../src/pages/buyer/parts";
import { paymentLabel } from "../src/pages/buyer/payment";
import "../src/pages/buyer/messages";

describe("buyer helpers", () => {
  it("reads the API's decimal-string quantities", () => {
    expect(kgOf("95.000")).toBe(95);
    expect(kgOf("12.500")).toBe(12.5);
    expect(kgOf("")).toBeNull();
    expect(kgOf(null)).toBeNull();
    expect(kgOf("x")).toBeNull();
  });
  it("names every payment status the order shows, in both languages", () => {
    setLang("en");
    const statuses = ["unpaid", "payment failed", "paid (escrow)", "payout scheduled", "refunded", "reversed", "paid out to farmer"];
    const english = statuses.map(paymentLabel);
    expect(english).toEqual(["Not paid", "Payment failed", "Paid (held until delivery)", "Paid to the farmer soon", "Refunded", "Reversed", "Paid to the farmer"]);
    expect(paymentLabel(undefined)).toBe("Not paid");
    expect(paymentLabel("something new")).toBe("something new"); // shown as the API says it
    setLang("lg");
    expect(statuses.map(paymentLabel).every((text, i) => text !== english[i])).toBe(true);
    setLang("en");
  });
});
