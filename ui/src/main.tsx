import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { I18nProvider } from "./i18n/I18nProvider";
import "./styles.css";

async function start() {
  // `vite build --mode mock` answers the IPC in the page, for looking at the
  // screens in a browser. In every other build this branch is dead code and the
  // mock is not bundled.
  if (import.meta.env.MODE === "mock") {
    const { installMockBackend } = await import("./dev/mockBackend");
    installMockBackend();
  }
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <I18nProvider>
        <App />
      </I18nProvider>
    </StrictMode>,
  );
}

void start();
