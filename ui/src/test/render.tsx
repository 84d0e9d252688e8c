import { render } from "@testing-library/react";
import type { ReactElement, ReactNode } from "react";
import type { Lang } from "../bindings";
import { I18nProvider } from "../i18n/I18nProvider";

/** Render inside the i18n provider, in a given language (kept on `rerender`). */
export function renderIn(lang: Lang, ui: ReactElement) {
  const wrapper = ({ children }: { children: ReactNode }) => <I18nProvider initial={lang}>{children}</I18nProvider>;
  return render(ui, { wrapper });
}
