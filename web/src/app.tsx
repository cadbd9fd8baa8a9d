/** The shell: header and menu by role, language switch, the offline banner, and the hash router
 * (the API owns the origin's paths, so the app's own live after `#`: a reload never reaches an
 * API route, and the static site needs no rewrite rules). */
import { useEffect } from "preact/hooks";
import { Link, Route, Router, Switch, useLocation } from "wouter-preact";
import { useHashLocation } from "wouter-preact/use-hash-location";
import { Empty, Page } from "./components/ui";
import { api } from "./lib/api";
import { hasRole, me, type Me, sessionReady, signOut } from "./lib/auth";
import { type Lang, lang, LANGS, setLang, t } from "./lib/i18n";
import { LazyPage } from "./lib/lazy";
import { startLive, stopLive } from "./lib/live";
import { online } from "./lib/offline";
import type { RouteDef } from "./lib/routes";
import { routes as account } from "./pages/account/routes";
import { UnreadLink } from "./pages/account/unread";
import { routes as admin } from "./pages/admin/routes";
import { routes as analytics } from "./pages/analytics/routes";
import { routes as buyer } from "./pages/buyer/routes";
import { routes as coops } from "./pages/coops/routes";
import { routes as farmer } from "./pages/farmer/routes";
import { routes as groups } from "./pages/groups/routes";
import { routes as transport } from "./pages/transport/routes";
import "./i18n/common";

export const ROUTES: RouteDef[] = [...buyer, ...groups, ...farmer, ...coops, ...transport, ...admin, ...analytics, ...account];

function allowed(route: RouteDef): boolean {
  if (!route.roles && !route.signedIn) return true;
  if (!me.value) return false;
  return !route.roles || hasRole(me.value, ...route.roles);
}

function Guarded(props: { route: RouteDef; params: Record<string, string> }) {
  const [location] = useLocation();
  if (!allowed(props.route)) {
    if (!sessionReady.value) return null;
    return (
      <Page title={me.value ? t("guard.forbidden.title") : t("guard.signin.title")}>
        {me.value ? (
          <Empty>{t("guard.forbidden")}</Empty>
        ) : (
          <p>
            <Link href={`/signin?next=${encodeURIComponent(location)}`}>{t("guard.signin")}</Link>
          </p>
        )}
      </Page>
    );
  }
  return <LazyPage load={props.route.load} params={props.params} />;
}

function Menu() {
  const user = me.value;
  const items = ROUTES.filter((r) => r.nav && allowed(r) && !(r.roles === undefined && r.signedIn === undefined && user && (r.path === "/signin" || r.path === "/signup")));
  return (
    <nav aria-label={t("nav.label")}>
      <ul class="menu">
        {items.map((r) => (
          <li key={r.path}>
            <Link href={r.path}>{t(r.nav!)}</Link>
          </li>
        ))}
        {user && (
          <li>
            <button type="button" class="link" onClick={() => {
                // signed out here at once (the revocation goes on in the background): a slow
                // network must not bring the user back to the market later, mid-way elsewhere
                void signOut();
                location.hash = "#/";
              }}>
              {t("nav.signout")}
            </button>
          </li>
        )}
      </ul>
    </nav>
  );
}

/** The header's switch: the page at once, and the account too when signed in (SMS and USSD speak
 * the account's language; a reload would otherwise bring the account's language back). */
function chooseLang(value: Lang): void {
  setLang(value);
  const user = me.value;
  if (user && user.language !== value) {
    api.put<Me>("/users/me", { language: value }).then(
      (updated) => (me.value = { ...user, ...updated }),
      () => undefined, // offline or refused: the device keeps the choice; the profile page can save it
    );
  }
}

function LanguageSwitch() {
  return (
    <div class="lang" role="group" aria-label={t("lang.label")}>
      {LANGS.map((l) => (
        <button key={l} type="button" class="link" aria-pressed={lang.value === l} onClick={() => chooseLang(l)}>
          {t(`lang.${l}`)}
        </button>
      ))}
    </div>
  );
}

function NotFound() {
  return (
    <Page title={t("notfound.title")}>
      <p>
        <Link href="/">{t("notfound.home")}</Link>
      </p>
    </Page>
  );
}

export function App() {
  const user = me.value;
  useEffect(() => {
    if (user) startLive();
    else stopLive();
  }, [user?.id]);
  useEffect(() => {
    document.documentElement.lang = lang.value;
  }, [lang.value]);
  return (
    <Router hook={useHashLocation}>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        {t("nav.skip")}
      </a>
      <header class="top">
        <Link href="/" class="brand">
          Soko
        </Link>
        <LanguageSwitch />
        <UnreadLink />
        <Menu />
      </header>
      {!online.value && (
        <p class="offline" role="status">
          {t("offline.banner")}
        </p>
      )}
      <main id="main" tabIndex={-1}>
        <Switch>
          {ROUTES.map((route) => (
            <Route key={route.path} path={route.path}>
              {(params: Record<string, string>) => <Guarded key={route.path} route={route} params={params} />}
            </Route>
          ))}
          <Route>
            <NotFound />
          </Route>
        </Switch>
      </main>
    </Router>
  );
}
