import { useState, type FormEvent } from "react";
import type { CaseDetail, NoteItem, Sensitivity } from "../../bindings";
import { CommandAlert } from "../../components/ErrorSummary";
import { SelectField, TextArea } from "../../components/inputs";
import { problem, type Problems } from "../../components/problem";
import { useI18n } from "../../i18n/I18nProvider";
import { call, CommandFailure } from "../../ipc";
import { useErrorText } from "../../shared/errors";
import { SENSITIVITIES } from "../../bindings/vocabulary";
import { options } from "../../shared/caseForm/options";

/** Notes grouped by sensitivity class; the store only hands over the classes this user's role may read. */
export function Notes({ detail, onChanged }: { detail: CaseDetail; onChanged: (c: CaseDetail) => void }) {
  const { t, dateTime } = useI18n();
  const errorText = useErrorText();
  const notes: NoteItem[] = detail.document.notes ?? [];
  const [sensitivity, setSensitivity] = useState<Sensitivity | "">("general");
  const [text, setText] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [failure, setFailure] = useState<string | null>(null);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    const p: Problems = {};
    if (!sensitivity) p["note-sensitivity"] = problem("detail.notes.errClass");
    if (!text.trim()) p["note-text"] = problem("detail.notes.errText");
    setProblems(p);
    if (Object.keys(p).length || !sensitivity) return;
    try {
      onChanged(await call("case_add_note", { id: detail.id, note: { sensitivity, text: text.trim() } }));
      setText("");
    } catch (err) {
      setFailure(errorText((err as CommandFailure).error));
    }
  };
  return (
    <section aria-labelledby="notes-title" className="panel">
      <h2 id="notes-title">{t("detail.notes")}</h2>
      {SENSITIVITIES.map((s) => {
        const of = notes.filter((n) => n.sensitivity === s);
        if (!of.length) return null;
        return (
          <div key={s} className={`notes notes--${s}`}>
            <h3>{t(`enum.sensitivity.${s}`)}</h3>
            <ul>
              {of.map((n) => (
                <li key={n.id}>
                  <p>{n.text}</p>
                  <p className="muted">{t("detail.notes.by", { author: n.author, when: dateTime(n.written_at) })}</p>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
      {notes.length ? null : <p className="muted">{t("detail.notes.none")}</p>}
      <form onSubmit={add} noValidate className="note-form">
        <h3>{t("detail.notes.add")}</h3>
        <CommandAlert message={failure} />
        <SelectField
          id="note-sensitivity"
          label={t("detail.notes.class")}
          value={sensitivity}
          onChange={setSensitivity}
          options={options(t, "enum.sensitivity", SENSITIVITIES.filter((c) => detail.note_classes.includes(c)))}
          placeholder={t("detail.notes.classPlaceholder")}
          error={problems["note-sensitivity"]}
          required
        />
        <TextArea id="note-text" label={t("detail.notes.text")} value={text} onChange={setText} error={problems["note-text"]} required />
        <button className="button" type="submit">
          {t("detail.notes.save")}
        </button>
      </form>
    </section>
  );
}
