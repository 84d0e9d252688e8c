import type { ReactNode } from "react";
import type { Problems } from "../../components/problem";
import { useI18n } from "../../i18n/I18nProvider";
import { FollowupForm, SavedNote } from "../../shared/caseForm/FollowupForm";
import { RemoveConfirm } from "./RemoveItem";
import type { ItemFollowupState } from "./useItemFollowup";

/**
 * A section listing logged items (services, outcomes): a table of them, each
 * with Change and Remove, the saved note, a removal's confirmation, then
 * the form (a new item, or the one being changed) or its Add button. The
 * DOM ids follow `prefix`: `${prefix}-change-${id}`, `${prefix}-remove-${id}`,
 * `${prefix}-remove` (the confirmation) and `${prefix}` (the form).
 */
export function LoggedItems<Item extends { id?: string | null }, Form>(props: {
  /** The section's heading is `${list}-title`. */
  list: "services" | "outcomes";
  prefix: "service" | "outcome";
  title: string;
  items: Item[];
  followup: ItemFollowupState<Item, Form>;
  /** The headings of the columns `cells` fills (a last one holds the buttons). */
  columns: string[];
  cells: (item: Item) => ReactNode;
  /** A row's key for an item without an id. */
  rowKey: (item: Item) => string;
  /** The Change button's accessible name for `item`. */
  changeLabel: (item: Item) => string;
  /** How a removal names `item`. */
  removeWhat: (item: Item) => string;
  /** What the section says without items. */
  none: string;
  /** The Add button, and the form's heading for a new item. */
  add: string;
  /** The form's heading for a correction. */
  editTitle: string;
  save: string;
  fields: (form: Form, problems: Problems) => ReactNode;
}) {
  const { t } = useI18n();
  const f = props.followup;
  return (
    <section aria-labelledby={`${props.list}-title`} className="panel">
      <h2 id={`${props.list}-title`} tabIndex={-1} ref={f.heading}>
        {props.title}
      </h2>
      {props.items.length ? (
        <table className="table">
          <thead>
            <tr>
              {props.columns.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
              <th scope="col">
                <span className="sr-only">{t("followup.change")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.items.map((item) => (
              <tr key={item.id ?? props.rowKey(item)}>
                {props.cells(item)}
                <td>
                  {item.id ? (
                    <>
                      <button
                        type="button"
                        className="link-button"
                        id={`${props.prefix}-change-${item.id}`}
                        aria-label={props.changeLabel(item)}
                        aria-expanded={f.editing === item.id}
                        onClick={() => f.open(item)}
                      >
                        {t("followup.change")}
                      </button>{" "}
                      <button
                        type="button"
                        className="link-button"
                        id={`${props.prefix}-remove-${item.id}`}
                        aria-label={t("followup.remove.label", { what: props.removeWhat(item) })}
                        aria-expanded={f.removal.asking === item.id}
                        onClick={(e) => f.askRemove(item, e.currentTarget)}
                      >
                        {t("followup.remove")}
                      </button>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">{props.none}</p>
      )}
      <SavedNote message={f.message} />
      {f.removing ? <RemoveConfirm id={`${props.prefix}-remove`} what={props.removeWhat(f.removing)} removal={f.removal} /> : null}
      {f.form ? (
        <FollowupForm
          key={f.editing ?? "new"}
          id={props.prefix}
          title={f.editing ? props.editTitle : props.add}
          submit={props.save}
          failure={f.failure}
          saving={f.saving}
          onSubmit={() => void f.submit()}
          onCancel={() => f.close(null)}
        >
          {props.fields(f.form, f.problems)}
        </FollowupForm>
      ) : (
        <button type="button" className="button button--secondary" ref={f.opener} onClick={() => f.open(null)}>
          {props.add}
        </button>
      )}
    </section>
  );
}
