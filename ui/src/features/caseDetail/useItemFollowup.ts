import { useRef, useState } from "react";
import type { CaseDetail } from "../../bindings";
import { useI18n } from "../../i18n/I18nProvider";
import { call } from "../../ipc";
import { type Checked, itemEdits } from "../../shared/caseForm/followup";
import { useAfterSave, useFollowupSave } from "../../shared/caseForm/FollowupForm";
import { useRemoval } from "./RemoveItem";

/** A list of logged items on the case screen (services, outcomes): what it takes to add one, correct one and remove one. */
export interface ItemFollowup<Item, Form, Value> {
  detail: CaseDetail;
  onChanged: (c: CaseDetail) => void;
  list: "services" | "outcomes";
  /** The DOM ids' prefix: `${prefix}-kind` is the form's first field, `${prefix}-change-${id}` an item's Change button. */
  prefix: string;
  /** The shell's field paths (`services.kind`) to the form's DOM ids. */
  ids: Record<string, string>;
  items: Item[];
  /** The item fields a correction may change. */
  fields: readonly string[];
  check: (form: Form, now: Date) => Checked<Value>;
  blank: (now: Date) => Form;
  formOf: (item: Item) => Form;
  add: (value: Value) => Promise<CaseDetail>;
}

/**
 * The form's state for a list of logged items: open it empty or with an
 * item, check and save (a new item whole, a correction as its changed
 * fields only), then close it, say "Saved." and give focus back to what
 * opened it; or remove an item entered by mistake after a confirmation.
 */
export function useItemFollowup<Item extends { id?: string | null }, Form, Value extends object>(o: ItemFollowup<Item, Form, Value>) {
  const { t } = useI18n();
  const [form, setForm] = useState<Form | null>(null);
  // The item being corrected, or null for a new one.
  const [editing, setEditing] = useState<string | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const after = useAfterSave();
  const { problems, failure, saving, save, reset } = useFollowupSave((f) => o.ids[f], `${o.prefix}-kind`);
  // The section's heading: focus goes there once a removed item's buttons are gone.
  const heading = useRef<HTMLHeadingElement>(null);
  const removal = useRemoval(o.detail, o.onChanged, o.list, () => heading.current);
  const close = (message: string | null) => {
    const item = editing;
    setForm(null);
    setEditing(null);
    after.done(message, () => (item ? document.getElementById(`${o.prefix}-change-${item}`) : opener.current));
  };
  const saved = (detail: CaseDetail | null) => {
    if (detail) {
      o.onChanged(detail);
      close(t("followup.saved"));
    }
  };
  const submit = async () => {
    if (!form) return;
    const checked = o.check(form, new Date());
    const item = o.items.find((i) => i.id === editing);
    const id = item?.id;
    if (item && id && checked.ok) {
      const edits = itemEdits(item, checked.value, o.fields);
      if (!edits.length) return close(t("followup.nothingChanged"));
      saved(await save(checked, () => call("case_set_item_fields", { id: o.detail.id, list: o.list, item: id, edits })));
      return;
    }
    saved(await save(checked, o.add));
  };
  /** Open the form for `item`, or empty for a new one. */
  const open = (item: Item | null) => {
    removal.dismiss();
    reset();
    after.clear();
    setEditing(item?.id ?? null);
    setForm(item ? o.formOf(item) : o.blank(new Date()));
  };
  /** Ask before removing `item` (its Remove button gets focus back on Cancel). */
  const askRemove = (item: Item, button: HTMLElement) => {
    if (!item.id) return;
    setForm(null);
    setEditing(null);
    after.clear();
    removal.ask(item.id, button);
  };
  const removing = o.items.find((i) => i.id && i.id === removal.asking);
  return {
    form,
    setForm,
    editing,
    opener,
    heading,
    message: after.message ?? removal.message,
    problems,
    failure,
    saving,
    submit,
    close,
    open,
    removal,
    removing,
    askRemove,
  };
}

/** What `useItemFollowup` gives a section: its form, the item being corrected, the removal. */
export type ItemFollowupState<Item extends { id?: string | null }, Form> = ReturnType<typeof useItemFollowup<Item, Form, object>>;
