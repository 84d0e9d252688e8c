import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import type { Lang } from "../bindings";
import { I18nProvider } from "../i18n/I18nProvider";

/** Render inside the i18n provider, in a given language. */
export function renderIn(lang: Lang, ui: ReactElement) {
  return render(<I18nProvider initial={lang}>{ui}</I18nProvider>);
}
