import { useCallback } from "react";
import type { CommandError } from "../bindings";
import { useI18n } from "../i18n/I18nProvider";
import type { MessageKey } from "../i18n/translate";

const KNOWN: Record<string, MessageKey> = {
  locked: "errors.locked",
  no_store: "errors.no_store",
  store_exists: "errors.store_exists",
  not_found: "errors.not_found",
  offline: "errors.offline",
  sync_failed: "errors.sync_failed",
  unavailable: "errors.unavailable",
  revoked: "errors.revoked",
  internal: "errors.internal",
  weak_passphrase: "errors.weak_passphrase",
};

/** A failed command in plain words in the current language, by its code; the
 * shell's message is kept only where the code alone says too little. */
export function useErrorText(): (e: CommandError) => string {
  const { t } = useI18n();
  return useCallback(
    (e: CommandError) => {
      const key = KNOWN[e.code];
      if (e.code === "invalid" || e.code === "internal" || e.code === "sync_failed") return `${t(key ?? "errors.invalid")} ${e.message}`;
      return key ? t(key) : e.message;
    },
    [t],
  );
}
