// Run by scripts/contract-test against the service it started (never by
// `npm test`): the types generated from /openapi.json (./openapi.ts) are
// enough to build an operation the service accepts.
import { expect, it } from "vitest";
import type { components } from "./openapi";

type Operation = components["schemas"]["Operation"];
type PushRequest = components["schemas"]["PushRequest"];
type PushResponse = components["schemas"]["PushResponse"];
type PullResponse = components["schemas"]["PullResponse"];

declare const process: { env: Record<string, string | undefined> };

const url = process.env["WAYSTATION_CONTRACT_URL"];
const device = process.env["WAYSTATION_CONTRACT_DEVICE"];
const other = process.env["WAYSTATION_CONTRACT_SECOND_DEVICE"];

it("an operation built from the generated types is accepted, and another device of the organization receives it", async () => {
  if (!url || !device || !other) throw new Error("scripts/contract-test runs this test, with the service it started");
  const deviceId = device.split(".")[0] ?? "";
  const caseId = crypto.randomUUID();
  const op: Operation = {
    id: crypto.randomUUID(),
    case_id: caseId,
    hlc: { wall_ms: Date.now(), counter: 0, device: deviceId },
    device: deviceId,
    user: "ana",
    class: "general",
    change: { kind: "create_case", owner: "border-7", fields: { status: "open" } },
  };
  const body: PushRequest = { ops: [op] };
  const headers = { "content-type": "application/json", "x-waystation-protocol": "1" };
  const pushed = await fetch(`${url}/v1/push`, {
    method: "POST",
    headers: { ...headers, authorization: `Bearer ${device}` },
    body: JSON.stringify(body),
  });
  expect(pushed.status).toBe(200);
  const answer = (await pushed.json()) as PushResponse;
  expect(answer.results.map((r) => [r.id, r.status])).toEqual([[op.id, "accepted"]]);
  // The organization's other device pulls it, whole, as the types describe it.
  let after = "0";
  const seen: Operation[] = [];
  for (;;) {
    const page = await fetch(`${url}/v1/pull?after=${after}`, { headers: { ...headers, authorization: `Bearer ${other}` } });
    expect(page.status).toBe(200);
    const p = (await page.json()) as PullResponse;
    seen.push(...p.ops);
    after = p.next_cursor;
    if (!p.more) break;
  }
  expect(seen.find((o) => o.id === op.id)).toEqual(op);
});
