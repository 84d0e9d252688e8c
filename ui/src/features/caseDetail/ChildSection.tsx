import { AGE_METHODS, CASE_STATUSES, SEXES } from "../../bindings/vocabulary";
import type { CaseDetail, CaseStatus, Child } from "../../bindings";
import { RadioGroup } from "../../components/choices";
import { SelectField, TextField } from "../../components/inputs";
import { MemorableDate } from "../../components/MemorableDate";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/translate";
import { options } from "../../shared/caseForm/options";
import { childEdits, childFieldId, childForm, statusEdits, type ChildForm } from "../../shared/caseForm/followup";
import { EditableSection, Row, useSectionEdit } from "./EditableSection";
import { FollowupForm, SavedNote } from "../../shared/caseForm/FollowupForm";

const childId = (field: string) => (field.startsWith("child.") ? childFieldId(field.slice("child.".length)) : undefined);

/** The child's section: what is recorded, and an Edit button that opens it in a form; only changed fields are saved. */
export function ChildSection({ detail, onChanged }: { detail: CaseDetail; onChanged: (c: CaseDetail) => void }) {
  const { t, date } = useI18n();
  const c: Partial<Child> = detail.document.child ?? {};
  const edit = useSectionEdit({
    detail,
    onChanged,
    idOf: childId,
    fallback: childFieldId("given_name"),
    formOf: () => childForm(c),
    edits: (form: ChildForm, now) => childEdits(c, form, now),
  });
  const en = (key: string, v: string | undefined) => (v ? t(`${key}.${v}` as MessageKey) : "—");
  return (
    <EditableSection
      id="child"
      title={t("intake.step.child")}
      edit={edit}
      rows={
        <>
          <Row label={t("intake.child.given_name")}>{c.given_name || "—"}</Row>
          <Row label={t("intake.child.family_name")}>{c.family_name || "—"}</Row>
          <Row label={t("intake.child.aliases")}>{(c.aliases ?? []).join(", ") || "—"}</Row>
          <Row label={t("intake.review.age")}>
            {c.date_of_birth ? date(c.date_of_birth) : c.estimated_age_years != null ? t("intake.review.estimated", { age: c.estimated_age_years }) : "—"}
            {c.age_method ? ` (${en("enum.ageMethod", c.age_method)})` : ""}
          </Row>
          <Row label={t("intake.child.sex")}>{en("enum.sex", c.sex)}</Row>
          <Row label={t("intake.child.nationalities")}>{(c.nationalities ?? []).join(", ") || "—"}</Row>
          <Row label={t("intake.child.languages")}>{(c.languages ?? []).join(", ") || "—"}</Row>
        </>
      }
      fields={(form, problems) => {
        const put = (patch: Partial<ChildForm>) => edit.setForm({ ...form, ...patch });
        const text = (field: keyof ChildForm & string, label: string, hint?: string, width?: "short" | "medium") => (
          <TextField
            id={childFieldId(field)}
            label={label}
            hint={hint}
            width={width}
            value={form[field] as string}
            onChange={(v) => put({ [field]: v })}
            error={problems[childFieldId(field)]}
          />
        );
        return (
          <>
            {text("given_name", t("intake.child.given_name"))}
            {text("family_name", t("intake.child.family_name"))}
            {text("aliases", t("intake.child.aliases"), t("intake.child.aliasesHint"))}
            <MemorableDate
              id={childFieldId("date_of_birth")}
              legend={t("intake.child.date_of_birth")}
              hint={t("intake.child.date_of_birthHint")}
              value={form.date_of_birth}
              onChange={(v) => put({ date_of_birth: v })}
              error={problems[childFieldId("date_of_birth")]}
              required={false}
            />
            {text("estimated_age_years", t("followup.child.estimated"), t("intake.child.estimated_age_yearsHint"), "short")}
            <SelectField
              id={childFieldId("age_method")}
              label={t("intake.child.age_method")}
              value={form.age_method}
              onChange={(v) => put({ age_method: v })}
              options={options(t, "enum.ageMethod", AGE_METHODS)}
              placeholder={t("followup.err.choose")}
              error={problems[childFieldId("age_method")]}
            />
            <SelectField
              id={childFieldId("sex")}
              label={t("intake.child.sex")}
              value={form.sex}
              onChange={(v) => put({ sex: v })}
              options={options(t, "enum.sex", SEXES)}
              placeholder={t("followup.err.choose")}
              error={problems[childFieldId("sex")]}
            />
            {text("nationalities", t("intake.child.nationalities"), t("intake.child.nationalitiesHint"), "medium")}
            {text("languages", t("intake.child.languages"), t("intake.child.languagesHint"), "medium")}
          </>
        );
      }}
    />
  );
}

/** The case status with a small form to change it. */
export function StatusEdit({ detail, onChanged }: { detail: CaseDetail; onChanged: (c: CaseDetail) => void }) {
  const { t } = useI18n();
  const status = detail.document.status ?? "open";
  const edit = useSectionEdit<CaseStatus | "">({
    detail,
    onChanged,
    idOf: (f) => (f === "status" ? "edit-status" : undefined),
    fallback: "edit-status",
    formOf: () => status,
    edits: (value) => statusEdits(detail.document, value),
  });
  if (edit.form === null)
    return (
      <div className="status-edit">
        <span className={`tag tag--status-${status}`}>{t(`status.${status}`)}</span>{" "}
        <button
          type="button"
          className="link-button"
          ref={edit.opener}
          aria-label={t("followup.editWhat", { what: t("followup.status") })}
          onClick={edit.open}
        >
          {t("followup.edit")}
        </button>
        <SavedNote message={edit.message} />
      </div>
    );
  return (
    <FollowupForm
      id="edit-status-form"
      title={t("followup.editWhat", { what: t("followup.status") })}
      submit={t("followup.status.save")}
      failure={edit.failure}
      saving={edit.saving}
      onSubmit={() => void edit.submit()}
      onCancel={edit.cancel}
    >
      <RadioGroup
        id="edit-status"
        legend={t("followup.status")}
        value={edit.form}
        onChange={edit.setForm}
        options={options(t, "status", CASE_STATUSES)}
        error={edit.problems["edit-status"]}
        inline
      />
    </FollowupForm>
  );
}
