import { fireEvent, screen, waitFor } from "@testing-library/react";
import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import type { CaseDetail, CaseDocument } from "../../bindings";
import { CASE_ID, caseDetail, caseShell } from "../../test/caseShell";
import { renderIn } from "../../test/render";
import { CaseDetailScreen } from "./CaseDetailScreen";

const ID = CASE_ID;
const REF = "0190a1b2-0000-7000-8000-0000000000r1";

function detail(doc: Partial<CaseDocument>): CaseDetail {
  return caseDetail({
    id: ID,
    status: "referred",
    child: { given_name: "Rosa", family_name: "Tzul" },
    referrals: [{ id: REF, to: "legal_services", status: "sent", drafted_at: "2026-11-20T10:00:00Z", sent_at: "2026-11-20T11:00:00Z" }],
    relief: [{ id: "0190a1b2-0000-7000-8000-0000000000f1", kind: "t_visa", screened_eligible_on: "2026-11-21" }],
    ...doc,
  });
}

/** The shell, answering `case_get` and recording every other call; `answer` decides what a save returns. */
const shell = (answer: (cmd: string, args: Record<string, unknown>) => unknown) => caseShell(detail({}), answer);

describe("follow-up forms on the case screen", () => {
  it("move a referral to its next status, then say so and put focus on the referrals", async () => {
    const calls = shell(() => detail({ referrals: [{ id: REF, to: "legal_services", status: "accepted", drafted_at: "2026-11-20T10:00:00Z", accepted_at: "2026-11-21T09:00:00Z" }] }));
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    fireEvent.click(await screen.findByRole("button", { name: "Update status of the Legal services referral" }));
    const accepted = screen.getByLabelText("Accepted");
    fireEvent.click(accepted);
    fireEvent.click(screen.getByRole("button", { name: "Save the status" }));
    await screen.findByText("Saved.");
    expect(calls).toHaveLength(1);
    const [cmd, args] = calls[0]!;
    expect(cmd).toBe("case_referral_status");
    expect(args).toMatchObject({ id: ID, referral: REF, status: "accepted" });
    expect(String(args.at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(screen.getByText("Accepted", { selector: ".tag" })).toBeTruthy();
    await waitFor(() => expect(document.activeElement?.id).toBe("referrals-title"));
  });

  it("shows what the shell refused beside the field, and keeps the form open", async () => {
    const calls = shell(() => {
      throw { code: "invalid", message: "referrals.acknowledged_at: is before the referral was sent", fields: [{ field: "referrals.acknowledged_at", message: "is before the referral was sent; a referral moves forward in time" }] };
    });
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    fireEvent.click(await screen.findByRole("button", { name: /Update status of the Legal services/ }));
    fireEvent.click(screen.getByLabelText("Acknowledged"));
    fireEvent.click(screen.getByRole("button", { name: "Save the status" }));
    const error = await screen.findByText("is before the referral was sent; a referral moves forward in time");
    expect(error.id).toBe("ref-step-time--error");
    expect(screen.getByLabelText(/At what time/).getAttribute("aria-invalid")).toBe("true");
    expect(calls).toHaveLength(1);
  });

  it("refuses a missing choice before calling the shell", async () => {
    const calls = shell(() => null);
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    fireEvent.click(await screen.findByRole("button", { name: "Log a service" }));
    expect(document.activeElement?.id).toBe("service-kind");
    fireEvent.click(screen.getByRole("button", { name: "Save the service" }));
    expect((await screen.findByText("Choose one.", { selector: ".error-message" })).id).toBe("service-kind--error");
    expect(calls).toHaveLength(0);
  });

  it("records a relief milestone with only the milestones its kind allows", async () => {
    const calls = shell(() => detail({}));
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    fireEvent.click(await screen.findByRole("button", { name: "Record a milestone for the T visa (I-914) application" }));
    const select = screen.getByLabelText("Milestone") as HTMLSelectElement;
    const values = [...select.options].map((o) => o.value);
    expect(values).toContain("certification_requested_on");
    expect(values).not.toContain("court_findings_on");
    fireEvent.change(select, { target: { value: "filed_on" } });
    fireEvent.click(screen.getByRole("button", { name: "Save the milestone" }));
    await screen.findByText("Saved.");
    expect(calls[0]).toEqual(["case_relief_milestone", expect.objectContaining({ milestone: "filed_on", relief: "0190a1b2-0000-7000-8000-0000000000f1" })]);
  });

  it("edits the child: only the changed field is sent, and focus returns to Edit", async () => {
    const calls = shell(() => detail({ child: { given_name: "Rosa Elena", family_name: "Tzul" } }));
    renderIn("es", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    fireEvent.click(await screen.findByRole("button", { name: "Editar Niño o niña" }));
    const given = screen.getByLabelText(/^Nombre/) as HTMLInputElement;
    expect(document.activeElement).toBe(given);
    fireEvent.change(given, { target: { value: "Rosa Elena" } });
    fireEvent.click(screen.getByRole("button", { name: "Guardar los cambios" }));
    await screen.findByText("Guardado.");
    expect(calls).toEqual([["case_set_fields", { id: ID, edits: [{ field: "child.given_name", value: "Rosa Elena", was: "Rosa" }] }]]);
    await screen.findByRole("heading", { name: "Rosa Elena Tzul" });
    await waitFor(() => expect(document.activeElement?.getAttribute("aria-label")).toBe("Editar Niño o niña"));
  });

  it("starts a relief application with its first milestone, and records an outcome", async () => {
    const calls = shell(() => detail({}));
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    fireEvent.click(await screen.findByRole("button", { name: "Start a relief application" }));
    fireEvent.change(screen.getByLabelText("What relief?"), { target: { value: "sijs" } });
    fireEvent.change(screen.getByLabelText(/Milestone reached so far/), { target: { value: "court_findings_on" } });
    fireEvent.click(screen.getByRole("button", { name: "Save the application" }));
    await screen.findByText("Saved.");
    expect(calls[0]![0]).toBe("case_add_relief");
    expect((calls[0]![1].relief as Record<string, string>).kind).toBe("sijs");
    expect((calls[0]![1].relief as Record<string, string>).court_findings_on).toMatch(/^\d{4}-\d\d-\d\d$/);
    await waitFor(() => expect(document.activeElement?.textContent).toBe("Start a relief application"));

    fireEvent.click(screen.getByRole("button", { name: "Record an outcome" }));
    fireEvent.change(screen.getByLabelText("What happened?"), { target: { value: "reunification" } });
    fireEvent.change(screen.getByLabelText(/Sponsor's relationship/), { target: { value: "aunt_or_uncle" } });
    fireEvent.click(screen.getByRole("button", { name: "Save the outcome" }));
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(calls[1]![0]).toBe("case_add_outcome");
    expect(calls[1]![1].outcome).toMatchObject({ kind: "reunification", sponsor_relationship: "aunt_or_uncle" });
  });

  it("cancels with Escape and puts focus back where the form was opened", async () => {
    const calls = shell(() => null);
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    fireEvent.click(await screen.findByRole("button", { name: "Edit Encounter" }));
    fireEvent.keyDown(screen.getByLabelText(/Station or port code/), { key: "Escape" });
    await waitFor(() => expect(document.activeElement?.getAttribute("aria-label")).toBe("Edit Encounter"));
    expect(screen.queryByRole("button", { name: "Save the changes" })).toBeNull();
    expect(calls).toHaveLength(0);
  });

  it("corrects a logged service: the form opens with its values and sends only what changed", async () => {
    const SERVICE = "0190a1b2-0000-7000-8000-0000000000s1";
    const services = [{ id: SERVICE, kind: "shelter" as const, provided_on: "2026-11-24", description: "Bed for two nights" }];
    const calls: [string, Record<string, unknown>][] = [];
    mockIPC((cmd, args) => {
      if (cmd === "case_get") return detail({ services });
      if (cmd.startsWith("plugin:")) return null;
      calls.push([cmd, args as Record<string, unknown>]);
      return detail({ services: [{ ...services[0]!, provided_on: "2026-11-23" }] });
    });
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    fireEvent.click(await screen.findByRole("button", { name: /Change the service “Shelter”/ }));
    expect(screen.getByRole("heading", { name: "Change a logged service" })).toBeTruthy();
    expect((screen.getByLabelText(/What was done/) as HTMLTextAreaElement).value).toBe("Bed for two nights");
    fireEvent.change(screen.getByLabelText("Day"), { target: { value: "23" } });
    fireEvent.click(screen.getByRole("button", { name: "Save the service" }));
    await screen.findByText("Saved.");
    expect(calls).toEqual([
      ["case_set_item_fields", { id: ID, list: "services", item: SERVICE, edits: [{ field: "provided_on", value: "2026-11-23", was: "2026-11-24" }] }],
    ]);
    await waitFor(() => expect(document.activeElement?.id).toBe(`service-change-${SERVICE}`));
  });
});
