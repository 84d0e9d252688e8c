import { useRef, useState } from "react";
import type { CaseDetail } from "../../bindings";
import { SelectField, TextArea } from "../../components/inputs";
import { MemorableDate } from "../../components/MemorableDate";
import { useI18n } from "../../i18n/I18nProvider";
import { call } from "../../ipc";
import { options } from "../intake/options";
import { checkService, SERVICE_KINDS, serviceForm, type ServiceForm } from "./followup";
import { FollowupForm, SavedNote, useAfterSave, useFollowupSave } from "./FollowupForm";

const IDS: Record<string, string> = { "services.kind": "service-kind", "services.provided_on": "service-date", "services.description": "service-description" };

/** The services delivered, and a form to log one. */
export function Services({ detail, onChanged }: { detail: CaseDetail; onChanged: (c: CaseDetail) => void }) {
  const { t, date } = useI18n();
  const services = detail.document.services ?? [];
  const [form, setForm] = useState<ServiceForm | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const after = useAfterSave();
  const { problems, failure, saving, save, reset } = useFollowupSave((f) => IDS[f], "service-kind");
  const close = (message: string | null) => {
    setForm(null);
    after.done(message, () => opener.current);
  };
  const submit = async () => {
    if (!form) return;
    const saved = await save(checkService(form, new Date()), (service) => call("case_add_service", { id: detail.id, service }));
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
            </tr>
          </thead>
          <tbody>
            {services.map((s) => (
              <tr key={s.id ?? `${s.kind}-${s.provided_on}`}>
                <td>{t(`enum.service.${s.kind}`)}</td>
                <td>{date(s.provided_on)}</td>
                <td>{s.description ?? "—"}</td>
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
          id="service"
          title={t("followup.services.add")}
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
            setForm(serviceForm(new Date()));
          }}
        >
          {t("followup.services.add")}
        </button>
      )}
    </section>
  );
}
