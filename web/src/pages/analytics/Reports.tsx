/** `#/reports` (signed in): ask for a report (farmers: their sales, payouts or market prices;
 * anyone else: market prices), see it being prepared, and download it when it is ready. */
import { Page } from "../../components/ui";
import { hasRole, me } from "../../lib/auth";
import { t } from "../../lib/i18n";
import { kindsFor } from "./logic";
import { ReportItems, RequestForm, usePolling, useReportList } from "./ReportsView";

export default function Reports() {
  const user = me.value;
  const kinds = kindsFor({ farmer: hasRole(user, "farmer"), admin: hasRole(user, "admin") });
  const list = useReportList({});
  usePolling(list);
  return (
    <Page title={t("an.reports.title")}>
      <p>{t(kinds.length > 1 ? "an.reports.intro" : "an.reports.introMarket")}</p>
      <h2>{t("an.reports.new")}</h2>
      <RequestForm key={user?.id} kinds={kinds} onQueued={list.add} />
      <h2>{t("an.reports.mine")}</h2>
      <ReportItems list={list} label={t("an.reports.mine")} empty={t("an.reports.empty")} />
    </Page>
  );
}
