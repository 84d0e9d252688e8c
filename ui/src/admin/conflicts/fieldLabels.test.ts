import { describe, expect, it } from "vitest";
import type { FieldKey } from "../api/schema";
import { consoleFieldLabel } from "./fieldLabels";

const item = "0190a4a0-0000-7000-8000-000000000001";
const key = (k: unknown) => k as FieldKey;

describe("conflicting fields in the screens' words", () => {
  it("case fields by the intake's labels", () => {
    expect(consoleFieldLabel(key({ in: "case", field: "child.date_of_birth" }), "en")).toBe("Date of birth");
    expect(consoleFieldLabel(key({ in: "case", field: "child.date_of_birth" }), "es")).toBe("Fecha de nacimiento");
    expect(consoleFieldLabel(key({ in: "case", field: "child.given_name" }), "en")).toBe("Given name");
    expect(consoleFieldLabel(key({ in: "case", field: "encounter.occurred_at" }), "en")).toBe("When");
    expect(consoleFieldLabel(key({ in: "case", field: "status" }), "en")).toBe("Case status");
    expect(consoleFieldLabel(key({ in: "case", field: "custody.facility" }), "en")).toBe("Where the child is held");
  });
  it("screening fields by the screening form's labels, else the console's", () => {
    expect(consoleFieldLabel(key({ in: "case", field: "screening.instrument" }), "en")).toBe("Screening instrument");
    expect(consoleFieldLabel(key({ in: "case", field: "screening.interpreter" }), "en")).toBe("Interpreter");
    expect(consoleFieldLabel(key({ in: "case", field: "screening.answers" }), "en")).toBe("Screening answers");
    expect(consoleFieldLabel(key({ in: "case", field: "screening.answers" }), "es")).toBe("Respuestas de la evaluación");
  });
  it("item fields with their list's title", () => {
    expect(consoleFieldLabel(key({ in: "item", list: "referrals", item, field: "status" }), "en")).toBe("Referrals: Status");
    expect(consoleFieldLabel(key({ in: "item", list: "referrals", item, field: "sent_at" }), "en")).toBe("Referrals: Sent");
    expect(consoleFieldLabel(key({ in: "item", list: "services", item, field: "description" }), "en")).toBe("Services: What was done");
    expect(consoleFieldLabel(key({ in: "item", list: "adults", item, field: "name" }), "en")).toBe("Accompanying adults: Name");
    expect(consoleFieldLabel(key({ in: "item", list: "relief", item, field: "receipt_number" }), "en")).toBe(
      "Immigration relief: USCIS receipt number",
    );
    expect(consoleFieldLabel(key({ in: "item", list: "services", item, field: "provider" }), "es")).toBe("Servicios: Proveedor");
  });
  it("a removal by its list; an unknown field by its path", () => {
    expect(consoleFieldLabel(key({ in: "removal", list: "referrals", item }), "en")).toBe("Referrals");
    expect(consoleFieldLabel(key({ in: "case", field: "child.something_new" }), "en")).toBe("child.something_new");
    expect(consoleFieldLabel(key({ in: "item", list: "outcomes", item, field: "mystery" }), "en")).toBe("Outcomes: mystery");
  });
});
