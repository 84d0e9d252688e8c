import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { createClient, failureOf, type Failure } from "./api/client";
import { failureText } from "./api/failureText";
import type { ConsoleSession } from "./api/schema";
import { ErrorAlert } from "./components/ui";
import { useConsoleI18n, type ConsoleKey } from "./i18n/ConsoleI18n";
import { roleLabel } from "./labels";
import { Audit } from "./pages/Audit";
import { Conflicts } from "./pages/Conflicts";
import { DeviceDetail } from "./pages/DeviceDetail";
import { Devices, resetDeviceFilters } from "./pages/Devices";
import { Enrollment } from "./pages/Enrollment";
import { Orgs } from "./pages/Orgs";
import { Overview } from "./pages/Overview";
import { PageHeading } from "./pages/PageHeading";
import { SignIn } from "./pages/SignIn";
import { Users } from "./pages/Users";
import { href, useRoute, type Route } from "./route";
import { Session } from "./session";

const NAV: { page: Route["page"]; label: ConsoleKey }[] = [
  { page: "overview", label: "nav.overview" },
  { page: "devices", label: "nav.devices" },
  { page: "enrollment", label: "nav.enrollment" },
  { page: "users", label: "nav.users" },
  { page: "orgs", label: "nav.orgs" },
  { page: "conflicts", label: "nav.conflicts" },
  { page: "audit", label: "nav.audit" },
];

type Notice = { key: "err.session_expired" | "err.unauthorized" | "signin.signedOut" } | null;

function LanguageSwitch({ className }: { className: string }) {
  const { t, lang, setLang } = useConsoleI18n();
  const other = lang === "en" ? "es" : "en";
  return (
    <button type="button" className={className} lang={other} onClick={() => setLang(other)}>
      {t("app.switchLanguage")}
    </button>
  );
}

function Page({ route }: { route: Route }) {
  const { t } = useConsoleI18n();
  switch (route.page) {
    case "overview":
      return <Overview />;
    case "devices":
      return <Devices />;
    case "device":
      return <DeviceDetail key={route.id} id={route.id} />;
    case "enrollment":
      return <Enrollment />;
    case "users":
      return <Users />;
    case "orgs":
      return <Orgs />;
    case "conflicts":
      return <Conflicts />;
    case "audit":
      return <Audit />;
    case "unknown":
      return (
        <>
          <PageHeading>{t("app.notFoundPage")}</PageHeading>
          <p>
            <a href={href({ page: "overview" })}>{t("app.toOverview")}</a>
          </p>
        </>
      );
  }
}

/** Signs the console out by itself after the session's idle time without a key or pointer: polling alone does not keep it open. */
function useIdleSignOut(session: ConsoleSession | null, onIdle: () => void) {
  const last = useRef(Date.now());
  useEffect(() => {
    if (!session) return;
    last.current = Date.now();
    const mark = () => (last.current = Date.now());
    const events = ["keydown", "pointerdown", "wheel", "touchstart"] as const;
    for (const e of events) window.addEventListener(e, mark, { passive: true });
    const limitMs = Math.max(60, session.idle_timeout_secs) * 1000;
    const timer = setInterval(() => {
      if (Date.now() - last.current >= limitMs) onIdle();
    }, 5000);
    return () => {
      for (const e of events) window.removeEventListener(e, mark);
      clearInterval(timer);
    };
  }, [session, onIdle]);
}

export function App() {
  const { t, duration } = useConsoleI18n();
  const route = useRoute();
  const [session, setSession] = useState<ConsoleSession | null>(null);
  const [checking, setChecking] = useState(true);
  const [bootFailure, setBootFailure] = useState<Failure | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [signOutFailure, setSignOutFailure] = useState<string | null>(null);
  const csrf = useRef<string | null>(null);
  csrf.current = session?.csrf_token ?? null;

  const client = useMemo(
    () =>
      createClient({
        csrfToken: () => csrf.current,
        onSessionEnd: (code) => {
          csrf.current = null;
          setSession(null);
          setNotice({ key: code === "session_expired" ? "err.session_expired" : "err.unauthorized" });
        },
      }),
    [],
  );

  const check = useCallback(async () => {
    setChecking(true);
    setBootFailure(null);
    try {
      setSession(await client.request("get", "/v1/admin/session", { quiet: true }));
    } catch (e) {
      const f = failureOf(e);
      if (f.kind === "session") {
        if (f.code === "session_expired") setNotice({ key: "err.session_expired" });
      } else setBootFailure(f);
    } finally {
      setChecking(false);
    }
  }, [client]);

  useEffect(() => {
    void check();
  }, [check]);

  const signOut = useCallback(
    async (why: Notice) => {
      setSignOutFailure(null);
      try {
        await client.request("post", "/v1/admin/logout", { quiet: true });
      } catch (e) {
        const f = failureOf(e);
        // An ended session is signed out already; anything else, say so and stay.
        if (f.kind !== "session" && why?.key === "signin.signedOut") {
          setSignOutFailure(failureText(f, t, duration));
          return;
        }
      }
      csrf.current = null;
      resetDeviceFilters();
      setSession(null);
      setNotice(why);
    },
    [client, t, duration],
  );
  const onIdle = useCallback(() => void signOut({ key: "err.session_expired" }), [signOut]);
  useIdleSignOut(session, onIdle);

  const ctx = useMemo(() => (session ? { session, client, canManage: session.role === "sync_admin" } : null), [session, client]);
  const current = route.page === "device" ? "devices" : route.page;

  let body: ReactNode;
  if (checking && !session) body = <p role="status">{t("app.loading")}</p>;
  else if (!ctx) {
    body = (
      <div className="narrow-inner">
        {bootFailure ? <ErrorAlert message={failureText(bootFailure, t, duration)} /> : null}
        <SignIn
          client={client}
          notice={notice ? t(notice.key) : null}
          onSignedIn={(s) => {
            setNotice(null);
            setBootFailure(null);
            setSession(s);
          }}
        />
      </div>
    );
  } else body = <Page route={route} />;

  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById("main")?.focus();
      }}>
        {t("app.skip")}
      </a>
      <header className="header">
        <span className="header__brand">{t("app.title")}</span>
        <div className="header__tools">
          {ctx ? (
            <p className="header__user">
              <span>{t("app.signedIn", { user: ctx.session.user })}</span>
              <span className="header__role">{t("app.roleOf", { role: roleLabel(t, ctx.session.role), org: ctx.session.org })}</span>
            </p>
          ) : null}
          <LanguageSwitch className="header-button" />
          {ctx ? (
            <button type="button" className="header-button" onClick={() => void signOut({ key: "signin.signedOut" })}>
              {t("app.signOut")}
            </button>
          ) : null}
        </div>
      </header>
      {ctx ? (
        <nav className="subnav" aria-label={t("app.nav")}>
          <ul className="nav">
            {NAV.map((n) => (
              <li key={n.page}>
                <a className="nav__link" href={href({ page: n.page } as Route)} aria-current={current === n.page ? "page" : undefined}>
                  {t(n.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <main id="main" className={ctx ? "main" : "main main--narrow"} tabIndex={-1}>
        <ErrorAlert message={signOutFailure} />
        {ctx && !ctx.canManage ? (
          <div className="alert alert--info">
            <p className="alert__text">{t("app.readOnly")}</p>
          </div>
        ) : null}
        {ctx ? <Session.Provider value={ctx}>{body}</Session.Provider> : body}
      </main>
    </div>
  );
}
