/** `#/farm/earnings`: the farmer's money by month (`GET /payments/earnings`: the last six months)
 * and each month's statement (`GET /payments/statements/{month}`, CSV or PDF), downloaded with the
 * Authorization header into a Blob URL: no token ever goes in a URL. */
import { useState } from "preact/hooks";
import { Button, Empty, ErrorMessage, Loading, Page, SavedNotice, Select, TableScroll } from "../../components/ui";
import { api } from "../../lib/api";
import { me } from "../../lib/auth";
import { ugx } from "../../lib/format";
import { useAction, useAsync } from "../../lib/hooks";
import { lang, t } from "../../lib/i18n";
import type { Earnings as EarningsData, MonthEarnings } from "./types";
import "./farmer.css";

const MONTHS = {
  en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
  lg: ["Janwali", "Febwali", "Marisi", "Apuli", "Maayi", "Juuni", "Julaayi", "Agusito", "Sebuttemba", "Okitobba", "Novemba", "Desemba"],
};

/** "2026-12" as "December 2026" (or in Luganda). */
export function monthName(month: string, language: "en" | "lg" = "en"): string {
  const [year, m] = month.split("-").map(Number);
  const name = MONTHS[language][(m ?? 1) - 1];
  return name && year ? `${name} ${year}` : month;
}

/** Save a Blob as a file: a temporary object URL on a link, clicked, then revoked. */
export function saveBlob(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = href;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

function Statement(props: { month: string }) {
  const [format, setFormat] = useState<"csv" | "pdf" | null>(null);
  const download = useAction(async (which: "csv" | "pdf") => {
    const blob = await api.get<Blob>(`/payments/statements/${props.month}`, { query: { format: which }, blob: true });
    saveBlob(blob, `soko-statement-${props.month}.${which}`);
    return true;
  });
  const name = monthName(props.month, lang.value);
  const run = async (which: "csv" | "pdf") => {
    setFormat(which);
    await download.run(which);
    setFormat(null);
  };
  return (
    <>
      <div class="actions">
        <Button kind="secondary" busy={download.busy && format === "csv"} disabled={download.busy} onClick={() => void run("csv")}>
          {t("farm.earnings.csv", { month: name })}
        </Button>
        <Button kind="secondary" busy={download.busy && format === "pdf"} disabled={download.busy} onClick={() => void run("pdf")}>
          {t("farm.earnings.pdf", { month: name })}
        </Button>
      </div>
      <ErrorMessage error={download.error} />
    </>
  );
}

function Statements(props: { months: string[] }) {
  const [month, setMonth] = useState(props.months[0] ?? "");
  if (!month) return null;
  return (
    <>
      <Select
        label={t("farm.earnings.month")}
        value={month}
        onChange={(e) => setMonth((e.currentTarget as HTMLSelectElement).value)}
        options={props.months.map((m) => ({ value: m, label: monthName(m, lang.value) }))}
      />
      <Statement month={month} />
    </>
  );
}

function Row(props: { m: MonthEarnings }) {
  const { m } = props;
  return (
    <tr>
      <th scope="row">{monthName(m.month, lang.value)}</th>
      <td class="num">{ugx(m.gross_ugx)}</td>
      <td class="num">{ugx(m.fees_ugx)}</td>
      <td class="num">{ugx(m.net_ugx)}</td>
      <td class="num">{ugx(m.held_in_escrow_ugx)}</td>
      <td class="num">{ugx(m.paid_out_ugx)}</td>
      <td class="num">{ugx(m.due_ugx)}</td>
    </tr>
  );
}

export default function Earnings() {
  const userId = me.value?.id ?? "";
  const earnings = useAsync((signal) => api.get<EarningsData>("/payments/earnings", { signal }), [userId], `farm.earnings.${userId}`);
  const data = earnings.data;
  const months = data ? [...data.months].reverse() : [];
  const any = months.some((m) => m.gross_ugx || m.held_in_escrow_ugx || m.paid_out_ugx || m.due_ugx);
  return (
    <Page title={t("farm.earnings.title")}>
      <SavedNotice savedAt={earnings.savedAt} />
      <ErrorMessage error={earnings.error} />
      {earnings.loading && !data && <Loading />}
      {data && (
        <>
          <dl class="totals">
            <dt>{t("farm.earnings.escrow")}</dt>
            <dd>{ugx(data.held_in_escrow_ugx)}</dd>
            <dt>{t("farm.earnings.due")}</dt>
            <dd>{ugx(data.due_ugx)}</dd>
            <dt>{t("farm.earnings.paidOut")}</dt>
            <dd>{ugx(data.paid_out_ugx)}</dd>
            <dt>{t("farm.earnings.net")}</dt>
            <dd>{ugx(data.net_ugx)}</dd>
          </dl>
          {!any && <Empty>{t("farm.earnings.empty")}</Empty>}
          <TableScroll label={t("farm.earnings.caption")}>
            <table>
              <caption>{t("farm.earnings.caption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("farm.earnings.month")}</th>
                  <th scope="col">{t("farm.earnings.gross")}</th>
                  <th scope="col">{t("farm.earnings.fees")}</th>
                  <th scope="col">{t("farm.earnings.net")}</th>
                  <th scope="col">{t("farm.earnings.escrow")}</th>
                  <th scope="col">{t("farm.earnings.paidOut")}</th>
                  <th scope="col">{t("farm.earnings.due")}</th>
                </tr>
              </thead>
              <tbody>
                {months.map((m) => (
                  <Row key={m.month} m={m} />
                ))}
              </tbody>
            </table>
          </TableScroll>
          <h2>{t("farm.earnings.statement")}</h2>
          <Statements months={months.map((m) => m.month)} />
        </>
      )}
    </Page>
  );
}
