import type { Option } from "../../components/inputs";
import type { I18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/translate";

/** Options whose labels are the catalog entries `${prefix}.${value}`. */
export function options<V extends string>(t: I18n["t"], prefix: string, values: readonly V[]): Option<V>[] {
  return values.map((value) => ({ value, label: t(`${prefix}.${value}` as MessageKey) }));
}
