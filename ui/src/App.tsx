import { useCallback, useEffect, useRef, useState } from "react";
import type { CaseId, SessionInfo, Settings, StoreState } from "./bindings";
import { CommandAlert } from "./components/ErrorSummary";
import { CaseDetailScreen } from "./features/caseDetail/CaseDetailScreen";
import { CaseListScreen } from "./features/cases/CaseListScreen";
import { useErrorText } from "./shared/errors";
import { IntakeScreen } from "./features/intake/IntakeScreen";
import { IDLE_DEFAULT, useIdleLock } from "./features/settings/idleLock";
import { SettingsScreen } from "./features/settings/SettingsScreen";
import { SyncStatusBar } from "./features/sync/SyncStatusBar";
import { FirstRunScreen } from "./features/unlock/FirstRunScreen";
import { UnlockScreen } from "./features/unlock/UnlockScreen";
import { useI18n } from "./i18n/I18nProvider";
import { call, CommandFailure, onStoreLocked } from "./ipc";

export type Route = { name: "cases" } | { name: "intake" } | { name: "case"; id: CaseId } | { name: "settings" };

export function LanguageToggle() {
  const { lang, setLang, t } = useI18n();
  const other = lang === "en" ? "es" : "en";
  return (
    <button type="button" className="header-button" lang={other} onClick={() => setLang(other)}>
      {t("app.switchLanguage")}
    </button>
  );
}

function Shell({ session, onLock }: { session: SessionInfo; onLock: () => void }) {
  const { t, setLang } = useI18n();
  const [route, setRoute] = useState<Route>({ name: "cases" });
  const [settings, setSettings] = useState<Settings>({ language: "en", idle_lock_minutes: IDLE_DEFAULT });
  const mainRef = useRef<HTMLElement>(null);

  useEffect(() => {
    call("settings_get").then((s) => {
      setSettings(s);
      setLang(s.language);
    }, () => undefined);
  }, [setLang]);
  useIdleLock(settings.idle_lock_minutes, onLock);
  useEffect(() => {
    // A new screen: put focus on its heading so a screen reader and the keyboard start there.
    mainRef.current?.querySelector<HTMLElement>("h1")?.focus();
  }, [route]);

  const nav = (r: Route, label: string) => (
    <li>
      <button
        type="button"
        className="nav__link"
        aria-current={route.name === r.name ? "page" : undefined}
        onClick={() => setRoute(r)}
      >
        {label}
      </button>
    </li>
  );
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t("app.skip")}
      </a>
      <header className="header">
        <div className="header__brand">Waystation</div>
        <nav aria-label={t("app.nav")}>
          <ul className="nav">
            {nav({ name: "cases" }, t("nav.cases"))}
            {nav({ name: "intake" }, t("nav.intake"))}
            {nav({ name: "settings" }, t("nav.settings"))}
          </ul>
        </nav>
        <div className="header__tools">
          <span className="header__user">{t("app.signedInAs", { user: session.user })}</span>
          <LanguageToggle />
          <button type="button" className="header-button" onClick={onLock} title={t("settings.shortcut")}>
            {t("app.lock")}
          </button>
        </div>
      </header>
      <SyncStatusBar />
      <main id="main" ref={mainRef} className="main" tabIndex={-1}>
        {route.name === "cases" ? (
          <CaseListScreen onOpen={(id) => setRoute({ name: "case", id })} onNewIntake={() => setRoute({ name: "intake" })} />
        ) : route.name === "intake" ? (
          <IntakeScreen onSaved={(id) => setRoute({ name: "case", id })} onCancel={() => setRoute({ name: "cases" })} />
        ) : route.name === "case" ? (
          <CaseDetailScreen id={route.id} onBack={() => setRoute({ name: "cases" })} />
        ) : (
          <SettingsScreen settings={settings} onSettings={setSettings} onLock={onLock} />
        )}
      </main>
    </div>
  );
}

export function App() {
  const { t, setLang } = useI18n();
  const errorText = useErrorText();
  const [state, setState] = useState<StoreState | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const refresh = useCallback(
    () => call("store_state").then(setState, (e: CommandFailure) => setFailure(errorText(e.error))),
    [errorText],
  );
  useEffect(() => {
    void refresh();
  }, [refresh]);
  // The device's language applies from the first screen on (settings are readable while locked).
  useEffect(() => {
    call("settings_get").then((s) => setLang(s.language), () => undefined);
  }, [setLang]);
  useEffect(() => onStoreLocked(() => void refresh()), [refresh]);

  const lock = useCallback(() => {
    call("lock").finally(() => void refresh());
  }, [refresh]);
  const unlocked = (s: SessionInfo) =>
    setState((old) => ({ state: "unlocked", user: s.user, users: old && old.state !== "absent" ? old.users : [s.user] }));

  if (!state)
    return (
      <main className="narrow" id="main">
        <h1>Waystation</h1>
        <CommandAlert message={failure} />
        {failure ? null : <p>{t("common.loading")}</p>}
      </main>
    );
  if (state.state === "absent")
    return (
      <>
        <header className="lang-bar">
          <LanguageToggle />
        </header>
        <FirstRunScreen onReady={unlocked} notice={state.notice} />
      </>
    );
  if (state.state === "locked")
    return (
      <>
        <header className="lang-bar">
          <LanguageToggle />
        </header>
        <UnlockScreen users={state.users} onUnlocked={unlocked} />
      </>
    );
  return <Shell session={{ user: state.user, org: null, device: "" }} onLock={lock} />;
}
