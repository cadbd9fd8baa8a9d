/** `#/coops`: a farmer's co-ops (`GET /coops/mine`): the co-ops they belong to, what they earned
 * from pooled sales, committing a quantity, their commitments, their allocations (confirm each one
 * they will supply), and starting a new co-op (`POST /coops`: they become its manager). */
import { useState } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { Button, Empty, ErrorMessage, Field, Loading, Page, Select } from "../../components/ui";
import { api, ApiError, newIdempotencyKey } from "../../lib/api";
import { me } from "../../lib/auth";
import { catalogue, cropName } from "../../lib/catalogue";
import { ugx } from "../../lib/format";
import { useAction, useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import "./coops.css";
import "./messages";
import { coopBody, feeText, type CoopDraft } from "./logic";
import { AllocationItem, CommitForm, CommitmentsTable } from "./parts";
import type { Coop, MyCoops } from "./types";

function CreateForm() {
  const [, navigate] = useLocation();
  const [draft, setDraft] = useState<CoopDraft>({ name: "", district: String(me.value?.district ?? ""), crops: [], fee_percent: "2" });
  const [problem, setProblem] = useState<{ field: keyof CoopDraft; text: string } | null>(null);
  const [key, setKey] = useState(newIdempotencyKey);
  const create = useAction(async (body: Record<string, unknown>) => {
    const coop = await api.post<Coop>("/coops", body, { idempotencyKey: key });
    setKey(newIdempotencyKey());
    navigate(`/coops/${coop.id}`);
    return coop;
  });
  const fields = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  const error = (name: keyof CoopDraft) => (problem?.field === name ? problem.text : fields[name]);
  const set = (name: "name" | "district" | "fee_percent") => (e: Event) => {
    setProblem(null);
    setDraft((d) => ({ ...d, [name]: (e.currentTarget as HTMLInputElement).value }));
  };
  const toggle = (crop: string) => (e: Event) => {
    setProblem(null);
    const on = (e.currentTarget as HTMLInputElement).checked;
    setDraft((d) => ({ ...d, crops: on ? [...d.crops, crop] : d.crops.filter((c) => c !== crop) }));
  };
  const districts = catalogue.value?.districts ?? [];
  const crops = catalogue.value?.crops ?? [];
  return (
    <form
      class="coop-form"
      aria-labelledby="create-title"
      onSubmit={(e) => {
        e.preventDefault();
        const checked = coopBody(draft);
        if ("field" in checked) {
          setProblem({ field: checked.field, text: t(checked.key) });
          return;
        }
        void create.run(checked.body);
      }}
    >
      <h2 id="create-title">{t("coops.create.title")}</h2>
      <p class="muted">{t("coops.create.intro")}</p>
      <Field label={t("coops.create.name")} value={draft.name} onInput={set("name")} required maxLength={80} error={error("name")} />
      {districts.length ? (
        <Select label={t("coops.create.district")} value={draft.district} onChange={set("district")} required placeholder={t("coops.create.district.pick")} options={districts.map((d) => ({ value: d.name, label: d.name }))} error={error("district")} />
      ) : (
        <Field label={t("coops.create.district")} value={draft.district} onInput={set("district")} required maxLength={40} error={error("district")} />
      )}
      <fieldset class="crop-picks" aria-describedby={error("crops") ? "crops-error" : undefined}>
        <legend>{t("coops.create.crops")}</legend>
        {crops.map((c) => (
          <label key={c.id} class="crop-pick">
            <input type="checkbox" name="crops" value={c.id} checked={draft.crops.includes(c.id)} onChange={toggle(c.id)} />
            {lang.value === "lg" ? c.luganda : c.name}
          </label>
        ))}
        {error("crops") && (
          <small id="crops-error" class="field-error">
            {error("crops")}
          </small>
        )}
      </fieldset>
      <Field label={t("coops.create.fee")} type="number" inputMode="decimal" min={0} max={20} step={0.01} value={draft.fee_percent} onInput={set("fee_percent")} hint={t("coops.create.fee.hint")} error={error("fee_percent")} />
      <ErrorMessage error={create.error} />
      <Button type="submit" busy={create.busy}>
        {t("coops.create.submit")}
      </Button>
    </form>
  );
}

export default function Coops() {
  const mine = useAsync((signal) => api.get<MyCoops>("/coops/mine", { signal }), [me.value?.id]);
  const data = mine.data;
  const names = new Map((data?.coops ?? []).map((c) => [c.id, c.name]));
  return (
    <Page title={t("coops.title")}>
      <p class="muted">{t("coops.intro")}</p>
      <ErrorMessage error={mine.error} />
      {mine.loading && !data && <Loading />}
      {data && (
        <>
          <section aria-labelledby="my-coops-title">
            <h2 id="my-coops-title">{t("coops.mine.title")}</h2>
            {data.coops.length ? (
              <ul class="coop-list" aria-label={t("coops.mine.title")}>
                {data.coops.map((c) => (
                  <li key={c.id} class="card">
                    <h3 class="card-title">
                      <Link href={`/coops/${c.id}`}>{c.name}</Link>
                    </h3>
                    <p>
                      {c.district} · {c.crops.map(cropName).join(", ")}
                    </p>
                    <p class="muted">
                      {t("coops.members.n", { n: c.member_count })} · {t("coops.fee", { fee: feeText(c.fee_percent) })}
                      {c.my_role && <> · {t(`coops.role.${c.my_role}`)}</>}
                    </p>
                  </li>
                ))}
              </ul>
            ) : (
              <Empty>{t("coops.mine.none")}</Empty>
            )}
          </section>
          <section aria-labelledby="earnings-title">
            <h2 id="earnings-title">{t("coops.earnings.title")}</h2>
            <p class="earnings">{ugx(data.earnings_ugx)}</p>
            <p class="muted">{t("coops.earnings.about")}</p>
          </section>
          {data.coops.length > 0 && <CommitForm coops={data.coops} onDone={() => mine.reload()} />}
          <section aria-labelledby="my-commitments-title">
            <h2 id="my-commitments-title">{t("coops.commitments.mine")}</h2>
            {data.commitments.length ? <CommitmentsTable items={data.commitments} label={t("coops.commitments.mine")} coops={names} /> : <Empty>{t("coops.commitments.none")}</Empty>}
          </section>
          <section aria-labelledby="my-alloc-title">
            <h2 id="my-alloc-title">{t("coops.alloc.mine")}</h2>
            <p class="muted">{t("coops.alloc.about")}</p>
            {data.allocations.length ? (
              <ul class="coop-list" aria-label={t("coops.alloc.mine")}>
                {data.allocations.map((a) => (
                  <AllocationItem key={`${a.order_id}:${a.member_id}`} item={a} onConfirmed={() => mine.reload()} />
                ))}
              </ul>
            ) : (
              <Empty>{t("coops.alloc.none")}</Empty>
            )}
          </section>
        </>
      )}
      <CreateForm />
    </Page>
  );
}
