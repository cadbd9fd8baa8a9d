/** The rows of a listing's volume price tiers (issue 18), in the farmer's listing form and the coop
 * manager's pooled listing form: add and remove steps (at most five), each a smallest quantity and a
 * discount, with the price per kg it gives. Problems are said beside the rows before anything is sent. */
import { Button, Field } from "../../components/ui";
import { perKg } from "../../lib/format";
import { t } from "../../lib/i18n";
import "../groups/groups.css";
import "../groups/tiers-messages";
import { MAX_TIERS, tierPrice, type TierDraft } from "../groups/tiers";

export function TiersEditor(props: { tiers: TierDraft[]; price: number; onChange: (tiers: TierDraft[]) => void; error?: string | null }) {
  const { tiers, onChange } = props;
  const set = (i: number, name: keyof TierDraft) => (e: Event) =>
    onChange(tiers.map((tier, j) => (j === i ? { ...tier, [name]: (e.currentTarget as HTMLInputElement).value } : tier)));
  const add = () => {
    const last = tiers[tiers.length - 1];
    const next: TierDraft = last
      ? { min_kg: String((Number(last.min_kg) || 0) * 2 || ""), discount_percent: String(Math.min(50, (Number(last.discount_percent) || 0) + 5)) }
      : { min_kg: "", discount_percent: "5" };
    onChange([...tiers, next]);
  };
  return (
    <fieldset class="tier-edit">
      <legend>{t("tiers.editor")}</legend>
      <p class="hint">{t("tiers.editor.hint", { n: MAX_TIERS })}</p>
      {tiers.length > 0 && (
        <ol>
          {tiers.map((tier, i) => {
            const pct = Number(tier.discount_percent);
            const valid = props.price > 0 && Number.isInteger(pct) && pct >= 1 && pct <= 50;
            return (
              <li key={i}>
                <div class="row">
                  <Field label={t("tiers.editor.kg", { n: i + 1 })} type="number" inputMode="decimal" min={0.001} step={0.001} required value={tier.min_kg} onInput={set(i, "min_kg")} />
                  <Field label={t("tiers.editor.pct", { n: i + 1 })} type="number" inputMode="numeric" min={1} max={50} step={1} required value={tier.discount_percent} onInput={set(i, "discount_percent")} />
                </div>
                {valid && <p class="muted">{t("tiers.editor.priced", { n: i + 1, price: perKg(tierPrice(props.price, { min_kg: tier.min_kg, discount_percent: pct })) })}</p>}
                <Button kind="secondary" onClick={() => onChange(tiers.filter((_, j) => j !== i))}>
                  {t("tiers.editor.remove", { n: i + 1 })}
                </Button>
              </li>
            );
          })}
        </ol>
      )}
      {props.error && (
        <p class="field-error" role="alert">
          {props.error}
        </p>
      )}
      {tiers.length < MAX_TIERS && (
        <Button kind="secondary" onClick={add}>
          {t("tiers.editor.add")}
        </Button>
      )}
    </fieldset>
  );
}
