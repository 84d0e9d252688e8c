import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { CaseDetail, CaseDocument, CommandError } from "../../bindings";
import { translate } from "../../i18n/translate";
import { CASE_ID, caseDetail, caseShell } from "../../test/caseShell";
import { renderIn } from "../../test/render";
import { CaseDetailScreen } from "./CaseDetailScreen";
import { checkReferral, referralForm } from "../../shared/caseForm/followup";
import { newlyShared } from "./NewReferralForm";
import { removalFailure } from "./RemoveItem";
import { sharingNote } from "./Referrals";

const NOW = new Date(2026, 10, 25, 15, 30); // 25 Nov 2026, 15:30 device time
const ID = CASE_ID;
const DRAFT = "0190a1b2-0000-7000-8000-0000000000d1";
const SENT = "0190a1b2-0000-7000-8000-0000000000s1";
const SHELTER = "0190a1b2-0000-7000-8000-0000000000e1";
const ADULT = "0190a1b2-0000-7000-8000-0000000000a1";

function detail(doc: Partial<CaseDocument> = {}, shared: string[] = []): CaseDetail {
  return caseDetail(
    {
      id: ID,
      status: "referred",
      child: { given_name: "Rosa", family_name: "Tzul" },
      adults: [{ id: ADULT, name: "Chepe Xiloj", claimed_relationship: "aunt_or_uncle", present_at_encounter: true }],
      referrals: [
        { id: SENT, to: "legal_services", status: "sent", drafted_at: "2026-11-20T10:00:00Z", sent_at: "2026-11-20T11:00:00Z" },
        { id: DRAFT, to: "medical", org: "clinica-del-valle", status: "drafted", drafted_at: "2026-11-24T10:00:00Z" },
      ],
      services: [{ id: SHELTER, kind: "shelter", provided_on: "2026-11-22" }],
      ...doc,
    } as CaseDocument,
    shared,
  );
}

const shell = (answer: (cmd: string, args: Record<string, unknown>) => unknown, first = detail({}, ["clinica-del-valle"])) =>
  caseShell(first, answer);

describe("a new referral's form", () => {
  it("sends where to, the organization in lowercase, when it was written and why; empty optional fields are left out", () => {
    const f = { ...referralForm(NOW), to: "victim_services" as const, org: " Casa-Esperanza-Legal ", reason: " Letter request. " };
    const c = checkReferral(f, NOW);
    expect(c.ok && c.value).toMatchObject({ to: "victim_services", org: "casa-esperanza-legal", reason: "Letter request." });
    expect(c.ok && c.value.drafted_at).toMatch(/^2026-11-25T15:30:\d\d[+-]\d\d:\d\d$/);
    const bare = checkReferral({ ...referralForm(NOW), to: "medical" }, NOW);
    expect(bare.ok && Object.keys(bare.value).sort()).toEqual(["drafted_at", "to"]);
  });

  it("names each problem beside its field before calling the shell", () => {
    const c = checkReferral({ ...referralForm(NOW), org: "Clínica del Valle", time: "25:00" }, NOW);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(Object.keys(c.problems).sort()).toEqual(["referral-org", "referral-time", "referral-to"]);
    const later = checkReferral({ ...referralForm(NOW), to: "medical", time: "16:30" }, NOW);
    expect(!later.ok && later.problems["referral-time"]).toEqual({ key: "followup.err.future" });
  });

  it("says which organizations a save shared the case with", () => {
    expect(newlyShared(detail({}, ["a"]), detail({}, ["a", "clinica-del-valle"]))).toEqual(["clinica-del-valle"]);
    expect(newlyShared(detail({}, ["a"]), detail({}, ["a"]))).toEqual([]);
  });

  it("is saved from the Referrals section, says the case is now shared, and gives focus back to its button", async () => {
    const calls = shell(() => detail({}, ["clinica-del-valle", "hogar-san-jose"]));
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    fireEvent.click(await screen.findByRole("button", { name: "Add a referral" }));
    expect(document.activeElement?.id).toBe("referral-to");
    fireEvent.change(screen.getByLabelText(/Refer to/), { target: { value: "child_welfare" } });
    fireEvent.change(screen.getByLabelText(/Receiving organization/), { target: { value: "hogar-san-jose" } });
    fireEvent.click(screen.getByRole("button", { name: "Save the referral" }));
    await screen.findByText("Saved. The case is now shared with hogar-san-jose.");
    expect(calls[0]![0]).toBe("case_add_referral");
    expect(calls[0]![1]).toMatchObject({ id: ID, referral: { to: "child_welfare", org: "hogar-san-jose" } });
    await waitFor(() => expect(document.activeElement?.textContent).toBe("Add a referral"));
  });

  it("closes on Escape without saving, focus back on its button", async () => {
    const calls = shell(() => detail());
    renderIn("es", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    fireEvent.click(await screen.findByRole("button", { name: "Agregar una remisión" }));
    fireEvent.keyDown(document.activeElement!, { key: "Escape" });
    await waitFor(() => expect(document.activeElement?.textContent).toBe("Agregar una remisión"));
    expect(calls).toHaveLength(0);
  });
});

describe("removing an item entered by mistake", () => {
  it("is offered for a drafted referral, a service and an adult, never for a sent referral or a note", async () => {
    shell(() => detail());
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    await screen.findByRole("button", { name: "Remove the drafted referral to Medical" });
    expect(screen.queryByRole("button", { name: /Remove the drafted referral to Legal services/ })).toBeNull();
    expect(screen.getByRole("button", { name: /^Remove the service “Shelter”/ })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Remove the adult “Chepe Xiloj”" })).toBeTruthy();
    expect(screen.getAllByRole("button", { name: /^Remove/ })).toHaveLength(3);
  });

  it("asks first (focus on the question), then removes, says so and puts focus on the section", async () => {
    const calls = shell(() => detail({ services: [] }));
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    fireEvent.click(await screen.findByRole("button", { name: /^Remove the service “Shelter”/ }));
    expect(document.activeElement?.textContent).toMatch(/^Remove the service “Shelter” of .*\?$/);
    expect(calls).toHaveLength(0);
    fireEvent.click(screen.getByRole("button", { name: "Yes, remove it" }));
    await screen.findByText("Removed.");
    expect(calls).toEqual([["case_remove_item", { id: ID, list: "services", item: SHELTER }]]);
    await waitFor(() => expect(document.activeElement?.id).toBe("services-title"));
  });

  it("removes an adult from the encounter, focus then on the encounter's heading; Escape first cancels", async () => {
    const calls = shell(() => detail({ adults: [] }));
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    const ask = await screen.findByRole("button", { name: "Remove the adult “Chepe Xiloj”" });
    fireEvent.click(ask);
    expect(document.activeElement?.id).toBe("adult-remove-title");
    fireEvent.keyDown(document.activeElement!, { key: "Escape" });
    await waitFor(() => expect(document.activeElement).toBe(ask));
    fireEvent.click(ask);
    fireEvent.click(screen.getByRole("button", { name: "Yes, remove it" }));
    await screen.findByText("Removed.");
    expect(calls).toEqual([["case_remove_item", { id: ID, list: "adults", item: ADULT }]]);
    await waitFor(() => expect(document.activeElement?.id).toBe("encounter-title"));
  });

  it("says what removing a referral does to the sharing with its organization", () => {
    const t = (k: Parameters<typeof translate>[1], v?: Parameters<typeof translate>[2]) => translate("en", k, v);
    const d = detail({}, ["clinica-del-valle"]);
    const draft = d.document.referrals!.find((r) => r.id === DRAFT)!;
    expect(sharingNote(d, draft, t)).toMatch(/^This is the last referral to clinica-del-valle: the case stops being shared/);
    const another = { id: "0190a1b2-0000-7000-8000-0000000000d2", to: "victim_services" as const, org: "clinica-del-valle", status: "sent" as const, drafted_at: "2026-11-24T10:00:00Z" };
    const two = detail({ referrals: [...d.document.referrals!, another] }, ["clinica-del-valle"]);
    expect(sharingNote(two, draft, t)).toBe("clinica-del-valle keeps access to the case through another referral to it.");
    const declined = detail({ referrals: [...d.document.referrals!, { ...another, status: "declined" as const }] }, ["clinica-del-valle"]);
    expect(sharingNote(declined, draft, t)).toMatch(/^This is the last referral/);
    expect(sharingNote({ ...d, owned_here: false }, draft, t)).toMatch(/keeps access/);
    expect(sharingNote(detail({}, []), draft, t)).toBeUndefined();
  });

  it("says that removing the last referral to an organization stops sharing, and Cancel removes nothing and returns focus", async () => {
    const calls = shell(() => detail());
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    const ask = await screen.findByRole("button", { name: "Remove the drafted referral to Medical" });
    fireEvent.click(ask);
    expect(screen.getByText(/its devices remove the case at their next sync/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(document.activeElement?.id).toBe(`referral-remove-${DRAFT}`));
    expect(calls).toHaveLength(0);
  });

  it("puts a refusal in the screen's words (the referral was sent meanwhile)", async () => {
    shell(() => {
      throw { code: "invalid", message: "x", fields: [{ field: "referrals.status", message: "a sent referral cannot be removed" }] };
    });
    renderIn("es", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    fireEvent.click(await screen.findByRole("button", { name: "Quitar la remisión en borrador a Atención médica" }));
    fireEvent.click(screen.getByRole("button", { name: "Sí, quitarlo" }));
    await screen.findByText("Esta remisión se envió mientras tanto, quizá en otro equipo, y ya no se puede quitar.");
    const t = (k: Parameters<typeof translate>[1]) => translate("en", k);
    const gone: CommandError = { code: "invalid", message: "x", fields: [{ field: "item", message: "gone" }] };
    expect(removalFailure(gone, t, () => "other")).toBe("It was already removed, perhaps on another device.");
    expect(removalFailure({ code: "locked", message: "locked" }, t, () => "other")).toBe("other");
  });
});

describe("stopping sharing", () => {
  it("is offered only to a supervisor of the owning organization", async () => {
    shell(() => detail());
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    await screen.findByRole("heading", { name: "Shared with" });
    expect(screen.queryByRole("button", { name: /Stop sharing/ })).toBeNull();
  });

  it("asks first, then stops sharing with that organization, says so and puts focus on the section", async () => {
    const supervisor = { ...detail({}, ["clinica-del-valle", "hogar-san-jose"]), may_stop_sharing: true };
    const calls = caseShell(supervisor, () => ({ ...supervisor, shared_with: ["hogar-san-jose"] }));
    renderIn("en", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    const ask = await screen.findByRole("button", { name: "Stop sharing with clinica-del-valle" });
    fireEvent.click(ask);
    expect(screen.getByText(/clinica-del-valle's devices remove the case/)).toBeTruthy();
    expect(calls).toHaveLength(0);
    fireEvent.click(screen.getByRole("button", { name: "Yes, stop sharing" }));
    await screen.findByText("Stopped sharing with clinica-del-valle.");
    expect(calls).toEqual([["case_stop_sharing", { id: ID, org: "clinica-del-valle" }]]);
    await waitFor(() => expect(document.activeElement?.id).toBe("sharing-title"));
    expect(screen.queryByRole("button", { name: "Stop sharing with clinica-del-valle" })).toBeNull();
  });

  it("puts the shell's refusal beside the question, in plain words", async () => {
    const supervisor = { ...detail({}, ["clinica-del-valle"]), may_stop_sharing: true };
    caseShell(supervisor, () => {
      throw { code: "invalid", message: "x", fields: [{ field: "org", message: "the case is not shared with clinica-del-valle" }] };
    });
    renderIn("es", <CaseDetailScreen id={ID} onBack={() => undefined} />);
    fireEvent.click(await screen.findByRole("button", { name: "Dejar de compartir con clinica-del-valle" }));
    fireEvent.click(screen.getByRole("button", { name: "Sí, dejar de compartir" }));
    await screen.findByText("the case is not shared with clinica-del-valle");
  });
});
