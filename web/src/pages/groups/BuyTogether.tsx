/** The listing page's "Buy together" (issue 18): the open groups of a listing with volume tiers
 * (`GET /groups?listing_id=`), each with its fill and a join form, and the form that starts a new
 * group (`POST /groups`: a target that reaches a tier, a deadline in EAT, the starter's quantity). */
import { useState } from "preact/hooks";
import { useLocation } from "wouter-preact";
import { Button, Empty, ErrorMessage, Field, Loading } from "../../components/ui";
import { api, ApiError, newIdempotencyKey } from "../../lib/api";
import { hasRole, me } from "../../lib/auth";
import { kg } from "../../lib/format";
import { useAction, useAsync } from "../../lib/hooks";
import { t } from "../../lib/i18n";
import "./groups.css";
import "./messages";
import { JoinForm } from "./JoinForm";
import { canJoin, checkStart, defaultDeadline, type StartDraft } from "./logic";
import { GroupCard } from "./parts";
import { kgNumber } from "./tiers";
import type { Group, GroupPage, TieredListing } from "./types";

function StartForm(props: { listing: TieredListing }) {
  const l = props.listing;
  const [, navigate] = useLocation();
  const tiers = l.price_tiers ?? [];
  const [draft, setDraft] = useState<StartDraft>({ target_kg: tiers.length ? String(kgNumber(tiers[0].min_kg)) : "", quantity_kg: "", deadline: defaultDeadline() });
  const [problem, setProblem] = useState<{ field: keyof StartDraft; text: string } | null>(null);
  const [key, setKey] = useState(newIdempotencyKey);
  const start = useAction(async (body: Record<string, string>) => {
    const group = await api.post<Group>("/groups", { listing_id: l.id, ...body }, { idempotencyKey: key });
    setKey(newIdempotencyKey());
    navigate(`/groups/${group.id}`);
    return group;
  });
  const fields = start.error instanceof ApiError ? start.error.fieldErrors() : {};
  const set = (name: keyof StartDraft) => (e: Event) => {
    setProblem(null);
    setDraft((d) => ({ ...d, [name]: (e.currentTarget as HTMLInputElement).value }));
  };
  const error = (name: keyof StartDraft) => (problem?.field === name ? problem.text : fields[name]);
  return (
    <form
      class="group-start"
      aria-labelledby="start-title"
      onSubmit={(e) => {
        e.preventDefault();
        const checked = checkStart(draft, l);
        if ("field" in checked) {
          setProblem({ field: checked.field, text: t(checked.key, checked.vars) });
          return;
        }
        void start.run(checked.body);
      }}
    >
      <h3 id="start-title">{t("groups.start.title")}</h3>
      <p class="muted">{t("groups.start.intro")}</p>
      <div class="row">
        <Field
          label={t("groups.start.target")}
          type="number"
          inputMode="decimal"
          min={0.001}
          step={0.001}
          required
          value={draft.target_kg}
          hint={t("groups.start.target.hint", { low: kg(tiers.length ? kgNumber(tiers[0].min_kg) : 0), high: kg(kgNumber(l.quantity_kg)) })}
          error={error("target_kg")}
          onInput={set("target_kg")}
        />
        <Field label={t("groups.start.mine")} type="number" inputMode="decimal" min={0.001} step={0.001} required value={draft.quantity_kg} error={error("quantity_kg")} onInput={set("quantity_kg")} />
      </div>
      <Field label={t("groups.start.deadline")} type="datetime-local" required value={draft.deadline} hint={t("groups.start.deadline.hint")} error={error("deadline")} onInput={set("deadline")} />
      <ErrorMessage error={start.error} />
      <Button type="submit" busy={start.busy}>
        {t("groups.start.submit")}
      </Button>
    </form>
  );
}

export function BuyTogether(props: { listing: TieredListing }) {
  const l = props.listing;
  const user = me.value;
  const [, navigate] = useLocation();
  const groups = useAsync(
    (signal) => (user ? api.get<GroupPage>("/groups", { query: { listing_id: l.id }, signal }) : Promise.resolve<GroupPage>({ items: [], next_cursor: null })),
    [l.id, user?.id],
  );
  const buyer = !!user && hasRole(user, "buyer") && user.id !== l.farmer_id;
  const open = (groups.data?.items ?? []).filter((g) => g.status === "open");
  return (
    <section class="together" aria-labelledby="together-title">
      <h2 id="together-title">{t("groups.together.title")}</h2>
      <p>{t("groups.together.intro")}</p>
      {!user ? (
        <p class="muted">{t("groups.together.signin")}</p>
      ) : (
        <>
          <h3>{t("groups.together.open")}</h3>
          <ErrorMessage error={groups.error} />
          {groups.loading && !groups.data && <Loading />}
          {groups.data &&
            (open.length ? (
              <ul class="group-list" aria-label={t("groups.together.open")}>
                {open.map((g) => (
                  <GroupCard key={g.id} group={g} heading="h4">
                    {buyer && canJoin(g, user.id) && <JoinForm group={g} onJoined={(joined) => navigate(`/groups/${joined.id}`)} />}
                  </GroupCard>
                ))}
              </ul>
            ) : (
              <Empty>{t("groups.together.none")}</Empty>
            ))}
          {buyer ? <StartForm listing={l} /> : <p class="muted">{t("groups.together.buyers_only")}</p>}
        </>
      )}
    </section>
  );
}
