/** `#/admin/reports` (admins): ask for a report over everyone's sales, payouts or market prices;
 * the admin's own reports; and the weekly reports the schedule prepares for all admins
 * (`GET /reports?owner=admins`), each downloadable when ready. */
import { Page } from "../../components/ui";
import { t } from "../../lib/i18n";
import { AdminNav } from "../admin/shared";
import { REPORT_KINDS } from "./types";
import { ReportItems, RequestForm, usePolling, useReportList } from "./ReportsView";

export default function AdminReports() {
  const mine = useReportList({});
  const weekly = useReportList({ owner: "admins" });
  usePolling(mine);
  usePolling(weekly);
  return (
    <Page title={t("an.reports.adminTitle")}>
      <AdminNav />
      <p>{t("an.reports.adminIntro")}</p>
      <h2>{t("an.reports.new")}</h2>
      <RequestForm kinds={REPORT_KINDS} onQueued={mine.add} />
      <h2>{t("an.reports.mine")}</h2>
      <ReportItems list={mine} label={t("an.reports.mine")} empty={t("an.reports.empty")} />
      <h2>{t("an.reports.weekly")}</h2>
      <ReportItems list={weekly} label={t("an.reports.weekly")} empty={t("an.reports.weeklyEmpty")} />
    </Page>
  );
}
