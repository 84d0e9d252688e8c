import { SERVICE_KINDS } from "../../bindings/vocabulary";
import type { CaseDetail, ServiceItem } from "../../bindings";
import { SelectField, TextArea } from "../../components/inputs";
import { MemorableDate } from "../../components/MemorableDate";
import { useI18n } from "../../i18n/I18nProvider";
import { call } from "../../ipc";
import { options } from "../../shared/caseForm/options";
import { checkService, SERVICE_FIELDS, serviceForm, serviceFormOf } from "../../shared/caseForm/followup";
import { LoggedItems } from "./LoggedItems";
import { useItemFollowup } from "./useItemFollowup";

const IDS: Record<string, string> = { "services.kind": "service-kind", "services.provided_on": "service-date", "services.description": "service-description" };

/** The services delivered, and a form to log one. */
export function Services({ detail, onChanged }: { detail: CaseDetail; onChanged: (c: CaseDetail) => void }) {
  const { t, date } = useI18n();
  const services = detail.document.services ?? [];
  const followup = useItemFollowup({
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
  const kind = (s: ServiceItem) => t(`enum.service.${s.kind}`);
  return (
    <LoggedItems
      list="services"
      prefix="service"
      title={t("followup.services")}
      items={services}
      followup={followup}
      columns={[t("followup.services.kind"), t("followup.date"), t("followup.services.description")]}
      cells={(s) => (
        <>
          <td>{kind(s)}</td>
          <td>{date(s.provided_on)}</td>
          <td>{s.description ?? "—"}</td>
        </>
      )}
      rowKey={(s) => `${s.kind}-${s.provided_on}`}
      changeLabel={(s) => t("followup.services.edit", { kind: kind(s), date: date(s.provided_on) })}
      removeWhat={(s) => t("followup.remove.service", { kind: kind(s), date: date(s.provided_on) })}
      none={t("followup.services.none")}
      add={t("followup.services.add")}
      editTitle={t("followup.services.editTitle")}
      save={t("followup.services.save")}
      fields={(form, problems) => (
        <>
          <SelectField
            id="service-kind"
            label={t("followup.services.kind")}
            value={form.kind}
            onChange={(kind) => followup.setForm({ ...form, kind })}
            options={options(t, "enum.service", SERVICE_KINDS)}
            placeholder={t("followup.err.choose")}
            error={problems["service-kind"]}
            required
          />
          <MemorableDate id="service-date" legend={t("followup.services.date")} value={form.date} onChange={(d) => followup.setForm({ ...form, date: d })} error={problems["service-date"]} />
          <TextArea
            id="service-description"
            label={t("followup.services.description")}
            value={form.description}
            onChange={(description) => followup.setForm({ ...form, description })}
            error={problems["service-description"]}
            rows={2}
          />
        </>
      )}
    />
  );
}
