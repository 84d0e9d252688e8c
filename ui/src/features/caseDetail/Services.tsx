import type { CaseDetail } from "../../bindings";
import { SelectField, TextArea } from "../../components/inputs";
import { MemorableDate } from "../../components/MemorableDate";
import { useI18n } from "../../i18n/I18nProvider";
import { call } from "../../ipc";
import { options } from "../intake/options";
import { checkService, SERVICE_FIELDS, SERVICE_KINDS, serviceForm, serviceFormOf } from "./followup";
import { FollowupForm, SavedNote } from "./FollowupForm";
import { RemoveConfirm } from "./RemoveItem";
import { useItemFollowup } from "./useItemFollowup";

const IDS: Record<string, string> = { "services.kind": "service-kind", "services.provided_on": "service-date", "services.description": "service-description" };

/** The services delivered, and a form to log one. */
export function Services({ detail, onChanged }: { detail: CaseDetail; onChanged: (c: CaseDetail) => void }) {
  const { t, date } = useI18n();
  const services = detail.document.services ?? [];
  const { form, setForm, editing, opener, heading, message, problems, failure, saving, submit, close, open, removal, removing, askRemove } = useItemFollowup({
    detail,
    onChanged,
    list: "services",
    prefix: "service",
    ids: IDS,
    items: services,
    fields: SERVICE_FIELDS,
    check: checkService,
    blank: serviceForm,
    formOf: serviceFormOf,
    add: (service) => call("case_add_service", { id: detail.id, service }),
  });
  return (
    <section aria-labelledby="services-title" className="panel">
      <h2 id="services-title" tabIndex={-1} ref={heading}>{t("followup.services")}</h2>
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
                      onClick={() => open(s)}
                    >
                      {t("followup.change")}
                    </button>
                  ) : null}
                  {s.id ? (
                    <>
                      {" "}
                      <button
                        type="button"
                        className="link-button"
                        id={`service-remove-${s.id}`}
                        aria-label={t("followup.remove.label", { what: t("followup.remove.service", { kind: t(`enum.service.${s.kind}`), date: date(s.provided_on) }) })}
                        aria-expanded={removal.asking === s.id}
                        onClick={(e) => askRemove(s, e.currentTarget)}
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
        <p className="muted">{t("followup.services.none")}</p>
      )}
      <SavedNote message={message} />
      {removing ? (
        <RemoveConfirm
          id="service-remove"
          what={t("followup.remove.service", { kind: t(`enum.service.${removing.kind}`), date: date(removing.provided_on) })}
          removal={removal}
        />
      ) : null}
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
          onClick={() => open(null)}
        >
          {t("followup.services.add")}
        </button>
      )}
    </section>
  );
}
