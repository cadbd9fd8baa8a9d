/** Join a group with a quantity (`POST /groups/{id}/join`): the API's refusal (over the room left,
 * already a member, closed) is shown as it says it. */
import { useState } from "preact/hooks";
import { Button, ErrorMessage, Field } from "../../components/ui";
import { api, ApiError, newIdempotencyKey } from "../../lib/api";
import { kg } from "../../lib/format";
import { useAction } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import "./messages";
import { roomKg } from "./logic";
import type { Group } from "./types";

export function JoinForm(props: { group: Group; onJoined: (group: Group) => void }) {
  const g = props.group;
  const room = roomKg(g);
  const [quantity, setQuantity] = useState("");
  const [key, setKey] = useState(newIdempotencyKey);
  const join = useAction(async () => {
    const joined = await api.post<Group>(`/groups/${encodeURIComponent(g.id)}/join`, { quantity_kg: quantity.trim() }, { idempotencyKey: key });
    setKey(newIdempotencyKey());
    props.onJoined(joined);
    return joined;
  });
  const fields = join.error instanceof ApiError ? join.error.fieldErrors() : {};
  return (
    <form
      class="group-join"
      aria-label={t("groups.join.form", { target: kg(Number(g.target_kg)) })}
      onSubmit={(e) => {
        e.preventDefault();
        void join.run();
      }}
    >
      <Field
        label={t("groups.join.quantity")}
        type="number"
        name="quantity_kg"
        inputMode="decimal"
        min={0.001}
        max={room}
        step={0.001}
        required
        value={quantity}
        hint={t("groups.join.hint", { kg: kg(room) })}
        error={fields.quantity_kg}
        onInput={(e) => setQuantity((e.currentTarget as HTMLInputElement).value)}
      />
      <ErrorMessage error={join.error} />
      <Button type="submit" busy={join.busy}>
        {t("groups.join.submit")}
      </Button>
    </form>
  );
}
