// Writes N realistic, fictional cases as JSON Lines for `waystation-cli case
// import`: each is one of the twenty varied cases of examples/cases.jsonl
// (every encounter type, custody, screening, referrals, notes, services)
// with its own names, adults' names and a narrative of a few hundred
// characters; the store gives each a new id. One case in SEARCH_EVERY carries
// the family name SEARCH_NAME (and no other does), so the search has a known
// number of hits.
//
//   node tests/bench/desktop/gen-cases.mjs N OUT.jsonl   (prints {"search":…, "hits":…})
import { createWriteStream, readFileSync } from "node:fs";
import { once } from "node:events";

export const SEARCH_NAME = "Ixcoy";
export const SEARCH_EVERY = 100;

const GIVEN = ["Ana", "María", "José", "Juan", "Rosa", "Luis", "Carmen", "Pedro", "Marta", "Diego", "Lucía", "Mateo",
  "Sofía", "Andrés", "Elena", "Tomás", "Isabel", "Santiago", "Yolanda", "Kevin", "Brenda", "Wilmer", "Dulce", "Byron",
  "Heidy", "Edgar", "Glenda", "Fredy", "Ixchel", "Nayeli", "Itzel", "Yaxkin", "Ramiro", "Abril", "Elmer", "Keyla"];
const FAMILY = ["Chávez", "Pérez", "López", "García", "Hernández", "Ramírez", "Morales", "Tzoc", "Cux", "Pop", "Caal",
  "Xol", "Quispe", "Mamani", "Velásquez", "Gómez", "Reyes", "Cruz", "Ortiz", "Castillo", "Mendoza", "Coc", "Choc", "Tiul",
  "Sic", "Ajpop", "Batz", "Tum", "Chen", "Yat", "Quej", "Bol", "Ical", "Maquín", "Sacul", "Cuc"];
const PLACES = ["the river crossing", "a bus station", "the highway shoulder", "a shelter intake desk", "the port lane",
  "a farm road", "a market", "the railway yard"];

function pick(list, n) {
  return list[n % list.length];
}

function narrative(i) {
  const where = pick(PLACES, i * 7);
  return (
    `Fictional encounter ${i + 1}: child met at ${where} around ${(i * 13) % 24}:00, tired and thirsty, ` +
    `carrying a small backpack and a phone without credit. Said she or he travelled for ${2 + (i % 40)} days, ` +
    `partly on foot and partly by bus, with a group led by a man the others called "el guía". ` +
    `Could not say where the group was going; said a relative would pay the rest of the trip once there. ` +
    `Interpreter used where needed; the child was given water and food and agreed to talk with the screener.`
  );
}

/** Case number `i` (0-based) from its template. */
export function caseLine(templates, i) {
  const c = structuredClone(templates[i % templates.length]);
  delete c.id;
  const family = i % SEARCH_EVERY === 7 ? SEARCH_NAME : `${pick(FAMILY, i * 5 + 3)} ${pick(FAMILY, i * 11 + 1)}`;
  c.child = { ...c.child, given_name: pick(GIVEN, i), family_name: family };
  if (i % 9 === 4) c.child.aliases = [pick(GIVEN, i + 17)];
  c.encounter = { ...c.encounter, narrative: narrative(i) };
  for (const [k, a] of (c.adults ?? []).entries()) a.name = `${pick(GIVEN, i + 5 + k)} ${pick(FAMILY, i * 3 + k)}`;
  for (const list of ["adults", "referrals", "notes", "services", "relief", "outcomes"]) {
    for (const item of c[list] ?? []) delete item.id;
  }
  return JSON.stringify(c);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 10000);
  const out = process.argv[3];
  if (!Number.isInteger(n) || n < 1 || !out) throw new Error("usage: gen-cases.mjs N OUT.jsonl");
  const examples = new URL("../../../examples/cases.jsonl", import.meta.url);
  const templates = readFileSync(examples, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  const w = createWriteStream(out);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    if (i % SEARCH_EVERY === 7) hits++;
    if (!w.write(caseLine(templates, i) + "\n")) await once(w, "drain");
  }
  w.end();
  await once(w, "finish");
  console.log(JSON.stringify({ cases: n, search: SEARCH_NAME, hits }));
}
