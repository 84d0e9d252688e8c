import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { ConsoleI18nProvider } from "./i18n/ConsoleI18n";
import "../styles.css";
import "./admin.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ConsoleI18nProvider>
      <App />
    </ConsoleI18nProvider>
  </StrictMode>,
);
