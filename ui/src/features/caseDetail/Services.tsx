import { useRef, useState } from "react";
import type { CaseDetail } from "../../bindings";
import { SelectField, TextArea } from "../../components/inputs";
import { MemorableDate } from "../../components/MemorableDate";
import { useI18n } from "../../i18n/I18nProvider";
import { call } from "../../ipc";
import { options } from "../intake/options";
import { checkService, itemEdits, SERVICE_FIELDS, SERVICE_KINDS, serviceForm, serviceFormOf, type ServiceForm } from "./followup";
import { FollowupForm, SavedNote, useAfterSave, useFollowupSave } from "./FollowupForm";

const IDS: Record<string, string> = { "services.kind": "service-kind", "services.provided_on": "service-date", "services.description": "service-description" };

/** The services delivered, and a form to log one. */
export function Services({ detail, onChanged }: { detail: CaseDetail; onChanged: (c: CaseDetail) => void }) {
  const { t, date } = useI18n();
  const services = detail.document.services ?? [];
  const [form, setForm] = useState<ServiceForm | null>(null);
  // The service being corrected, or null for a new one.
  const [editing, setEditing] = useState<string | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const after = useAfterSave();
  const { problems, failure, saving, save, reset } = useFollowupSave((f) => IDS[f], "service-kind");
  const close = (message: string | null) => {
    const item = editing;
    setForm(null);
    setEditing(null);
    after.done(message, () => (item ? document.getElementById(`service-change-${item}`) : opener.current));
  };
  const submit = async () => {
    if (!form) return;
    const checked = checkService(form, new Date());
    const item = services.find((s) => s.id === editing);
    if (item?.id && checked.ok) {
      const edits = itemEdits(item, checked.value, SERVICE_FIELDS);
      if (!edits.length) return close(t("followup.nothingChanged"));
      const saved = await save(checked, () => call("case_set_item_fields", { id: detail.id, list: "services", item: item.id!, edits }));
      if (saved) {
        onChanged(saved);
        close(t("followup.saved"));
      }
      return;
    }
    const saved = await save(checked, (service) => call("case_add_service", { id: detail.id, service }));
    if (saved) {
      onChanged(saved);
      close(t("followup.saved"));
    }
  };
  return (
    <section aria-labelledby="services-title" className="panel">
      <h2 id="services-title">{t("followup.services")}</h2>
      {services.length ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t("followup.services.kind")}</th>
              <th scope="col">{t("followup.date")}</th>
              <th scope="col">{t("followup.services.description")}</th>
              <th scope="col">
                <span className="sr-only">{t("followup.change")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {services.map((s) => (
              <tr key={s.id ?? `${s.kind}-${s.provided_on}`}>
                <td>{t(`enum.service.${s.kind}`)}</td>
                <td>{date(s.provided_on)}</td>
                <td>{s.description ?? "—"}</td>
                <td>
                  {s.id ? (
                    <button
                      type="button"
                      className="link-button"
                      id={`service-change-${s.id}`}
                      aria-label={t("followup.services.edit", { kind: t(`enum.service.${s.kind}`), date: date(s.provided_on) })}
                      aria-expanded={editing === s.id}
                      onClick={() => {
                        reset();
                        after.clear();
                        setEditing(s.id ?? null);
                        setForm(serviceFormOf(s));
                      }}
                    >
                      {t("followup.change")}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">{t("followup.services.none")}</p>
      )}
      <SavedNote message={after.message} />
      {form ? (
        <FollowupForm
          key={editing ?? "new"}
          id="service"
          title={t(editing ? "followup.services.editTitle" : "followup.services.add")}
          submit={t("followup.services.save")}
          failure={failure}
          saving={saving}
          onSubmit={submit}
          onCancel={() => close(null)}
        >
          <SelectField
            id="service-kind"
            label={t("followup.services.kind")}
            value={form.kind}
            onChange={(kind) => setForm({ ...form, kind })}
            options={options(t, "enum.service", SERVICE_KINDS)}
            placeholder={t("followup.err.choose")}
            error={problems["service-kind"]}
            required
          />
          <MemorableDate id="service-date" legend={t("followup.services.date")} value={form.date} onChange={(d) => setForm({ ...form, date: d })} error={problems["service-date"]} />
          <TextArea
            id="service-description"
            label={t("followup.services.description")}
            value={form.description}
            onChange={(description) => setForm({ ...form, description })}
            error={problems["service-description"]}
            rows={2}
          />
        </FollowupForm>
      ) : (
        <button
          type="button"
          className="button button--secondary"
          ref={opener}
          onClick={() => {
            reset();
            after.clear();
            setEditing(null);
            setForm(serviceForm(new Date()));
          }}
        >
          {t("followup.services.add")}
        </button>
      )}
    </section>
  );
}
