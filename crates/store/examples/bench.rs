//! The store's benchmark: plain SQLite against the encrypted store, in one
//! process, on the same data. Prints each figure, the baseline's and the
//! ratio (ours / plain as throughput: 1.0 = as fast as plain SQLite).
//!
//! `cargo run --release -p waystation-store --example bench`
//!
//! Rows:
//! - "plain": SQLite (the same bundled library, no key, default 4 KiB pages),
//!   WAL and synchronous=FULL like the store; a `cases` table with the
//!   document JSON and summary columns plus an FTS5 table — the store's shape.
//! - "encrypted table": the very same tables and statements on a connection
//!   opened with the store's SQLCipher settings (raw key, 16 KiB pages).
//! - "SQLCipher dflt": the same encrypted, with SQLCipher's defaults (4 KiB
//!   pages, HMAC-SHA512), for reference: what the settings buy.
//! - "plain, tuned": plain SQLite given the store's page size and cache, for
//!   reference: what encryption alone costs.
//! - "Store API": the full path — operations, merge, view, search index,
//!   outbox and audit chain in one transaction — for the same cases.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, params};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Instant;
use waystation_core::{CaseId, Change, DeviceId, FieldPath, ItemId, ListKind, OrgId, UserName};
use waystation_store::{KdfParams, Passphrase, Store};

const BULK: usize = 10_000;
const PER_COMMIT: usize = 1_000;
const LOOKUPS: usize = 10_000;
const SEARCHES: usize = 1_000;
const STORE_READS: usize = 500;

const GIVEN: &[&str] =
    &["Maria", "José", "Ana", "Luis", "Rosa", "Pedro", "Yesenia", "Marvin", "Dulce", "Kevin", "Ixchel", "Baltazar"];
const FAMILY: &[&str] = &[
    "Lopez",
    "Tzul",
    "Quispe",
    "Ixcoy",
    "Hernandez",
    "Cua",
    "Velasquez",
    "Son",
    "Pérez",
    "Ajanel",
    "Chávez",
    "Mendoza",
    "Rivas",
    "Coj",
    "Tuyuc",
    "Batz",
];

struct Sample {
    id: CaseId,
    given: String,
    family: String,
    narrative: String,
    doc: String,
    changes: Vec<Change>,
}

fn set(field: &str, value: Value) -> Change {
    Change::Set { field: FieldPath::parse(field).unwrap(), value, supersedes: vec![] }
}

fn with_id(id: ItemId, item: &Value) -> Value {
    let mut m = item.as_object().unwrap().clone();
    m.insert("id".into(), json!(id));
    Value::Object(m)
}

fn sample(i: usize, rng: &mut impl Rng, org: &OrgId) -> Sample {
    let id = CaseId::new();
    let given = GIVEN[rng.random_range(0..GIVEN.len())].to_string();
    let family = format!("{}{}", FAMILY[rng.random_range(0..FAMILY.len())], i % 97);
    let narrative = format!(
        "Encountered {} km east of the station at {:02}:{:02} walking with a group of {}. Says an adult who paid the \
         crossing will meet her in the city and that she must work to repay a debt of {} dollars. Has a phone with \
         numbers she did not want to show. No documents. Appears tired, asked for water and a blanket.",
        rng.random_range(1..40),
        rng.random_range(0..24),
        rng.random_range(0..60),
        rng.random_range(2..12),
        rng.random_range(500..9000)
    );
    let adult_id = ItemId::new();
    let note_id = ItemId::new();
    let adult = json!({"name": format!("Adult {} {}", FAMILY[i % FAMILY.len()], i), "claimed_relationship": "uncle", "verified": false});
    let note = json!({"sensitivity": "general", "text": "Interview paused; child asked for a female officer.", "written_at": "2026-11-20T11:02:00-07:00", "author": "ana.lopez"});
    let doc = json!({
        "id": id, "status": "open",
        "child": {"given_name": given, "family_name": family, "aliases": [format!("{given}ita")], "estimated_age": 15,
                  "age_method": "self_report", "sex": "female", "nationalities": ["GT"], "languages": ["quc", "spa"]},
        "encounter": {"occurred_at": "2026-11-20T10:15:00-07:00", "station": "LRD-7", "type": "between_ports",
                      "accompanied": "unrelated_adult", "narrative": narrative},
        "adults": [with_id(adult_id, &adult)],
        "notes": [with_id(note_id, &note)],
        "referrals": [], "services": [], "relief": [], "outcomes": []
    });
    let changes = vec![
        Change::create_case(org.clone()),
        set("status", json!("open")),
        set("child.given_name", json!(given)),
        set("child.family_name", json!(family)),
        set("child.aliases", doc["child"]["aliases"].clone()),
        set("child.estimated_age", json!(15)),
        set("child.age_method", json!("self_report")),
        set("child.sex", json!("female")),
        set("child.nationalities", json!(["GT"])),
        set("child.languages", json!(["quc", "spa"])),
        set("encounter.occurred_at", json!("2026-11-20T10:15:00-07:00")),
        set("encounter.station", json!("LRD-7")),
        set("encounter.type", json!("between_ports")),
        set("encounter.accompanied", json!("unrelated_adult")),
        set("encounter.narrative", json!(narrative)),
        Change::AddItem { list: ListKind::Adults, item: adult_id, value: adult.as_object().unwrap().clone() },
        Change::AddItem { list: ListKind::Notes, item: note_id, value: note.as_object().unwrap().clone() },
    ];
    Sample { id, given, family, narrative, doc: doc.to_string(), changes }
}

const SCHEMA: &str = "
    CREATE TABLE cases (num INTEGER PRIMARY KEY, case_id TEXT NOT NULL UNIQUE, status TEXT,
                        given_name TEXT, family_name TEXT, doc TEXT NOT NULL);
    CREATE VIRTUAL TABLE case_search USING fts5(given_name, family_name, narrative,
                        tokenize = 'unicode61 remove_diacritics 2');";

#[derive(Clone, Copy)]
enum Kind {
    Plain,
    Encrypted,
    EncryptedDefaults,
    PlainTuned,
}

const KEY: [u8; 32] = [0x5a; 32];

fn open(kind: Kind, path: &Path) -> Connection {
    match kind {
        Kind::Plain => {
            let c = Connection::open(path).unwrap();
            c.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;").unwrap();
            c
        }
        Kind::PlainTuned => {
            let c = Connection::open(path).unwrap();
            c.execute_batch(
                "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
                 PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32768;",
            )
            .unwrap();
            c
        }
        Kind::Encrypted => waystation_store::open_encrypted_file_for_bench(path, &KEY).unwrap(),
        Kind::EncryptedDefaults => {
            let c = Connection::open(path).unwrap();
            c.execute_batch(&format!("PRAGMA key = \"x'{}'\"; PRAGMA cipher_log_level = NONE;", hex::encode(KEY)))
                .unwrap();
            c.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;").unwrap();
            c
        }
    }
}

fn insert(c: &Connection, s: &Sample) {
    c.prepare_cached(
        "INSERT INTO cases (case_id, status, given_name, family_name, doc) VALUES (?1, 'open', ?2, ?3, ?4)",
    )
    .unwrap()
    .execute(params![s.id.to_string(), s.given, s.family, s.doc])
    .unwrap();
    let num = c.last_insert_rowid();
    c.prepare_cached("INSERT INTO case_search (rowid, given_name, family_name, narrative) VALUES (?1, ?2, ?3, ?4)")
        .unwrap()
        .execute(params![num, s.given, s.family, s.narrative])
        .unwrap();
}

/// Seconds of each measured step for one kind of database.
#[derive(Default, Clone, Copy)]
struct Figures {
    bulk: f64,
    per_commit: f64,
    scan: f64,
    lookup: f64,
    search: f64,
    bytes: u64,
}

fn time<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed().as_secs_f64(), out)
}

fn run_raw(kind: Kind, data: &[Sample], dir: &Path, round: usize) -> Figures {
    let path = dir.join(format!("raw-{round}-{}.db", kind as u8));
    let mut f = Figures::default();
    {
        let mut c = open(kind, &path);
        c.execute_batch(SCHEMA).unwrap();
        f.bulk = time(|| {
            let tx = c.transaction().unwrap();
            for s in data {
                insert(&tx, s);
            }
            tx.commit().unwrap();
        })
        .0;
    }
    if round == 0 {
        // Disk-bound (one fsync per case): measured once, not three times.
        let per_path = dir.join(format!("raw-commit-{round}-{}.db", kind as u8));
        let c = open(kind, &per_path);
        c.execute_batch(SCHEMA).unwrap();
        f.per_commit = time(|| {
            for s in &data[..PER_COMMIT] {
                // One transaction (and fsync) per case, its row and search row together.
                let tx = c.unchecked_transaction().unwrap();
                insert(&tx, s);
                tx.commit().unwrap();
            }
        })
        .0;
    }
    // Full scan after reopening: every row's document, decoded to text. A
    // scan takes milliseconds, so it is repeated (reopening each time) and
    // the best kept, to see through the noise of a shared machine.
    let mut scan = f64::INFINITY;
    for _ in 0..7 {
        let c = open(kind, &path);
        let (secs, total) = time(|| {
            let mut stmt = c.prepare("SELECT case_id, doc FROM cases").unwrap();
            let mut rows = stmt.query([]).unwrap();
            let mut total = 0usize;
            while let Some(r) = rows.next().unwrap() {
                total += r.get_ref(0).unwrap().as_str().unwrap().len() + r.get_ref(1).unwrap().as_str().unwrap().len();
            }
            total
        });
        assert!(total > BULK * 900, "scan read everything");
        scan = scan.min(secs);
    }
    f.scan = scan;
    let c = open(kind, &path);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let ids: Vec<String> = (0..LOOKUPS).map(|_| data[rng.random_range(0..data.len())].id.to_string()).collect();
    f.lookup = time(|| {
        let mut stmt = c.prepare_cached("SELECT doc FROM cases WHERE case_id = ?1").unwrap();
        for id in &ids {
            let doc: String = stmt.query_row([id], |r| r.get(0)).unwrap();
            assert!(!doc.is_empty());
        }
    })
    .0;
    let terms: Vec<String> = (0..SEARCHES).map(|i| format!("\"{}\"*", data[i * 7 % data.len()].family)).collect();
    f.search = time(|| {
        let mut stmt = c
            .prepare_cached(
                "SELECT c.case_id FROM case_search JOIN cases c ON c.num = case_search.rowid
                 WHERE case_search MATCH ?1 ORDER BY bm25(case_search), c.num LIMIT 50",
            )
            .unwrap();
        for t in &terms {
            let n = stmt.query_map([t], |r| r.get::<_, String>(0)).unwrap().count();
            assert!(n > 0);
        }
    })
    .0;
    f.bytes = std::fs::metadata(&path).unwrap().len();
    f
}

fn best(runs: &[Figures]) -> Figures {
    let min = |g: fn(&Figures) -> f64| runs.iter().map(g).filter(|t| *t > 0.0).fold(f64::INFINITY, f64::min);
    Figures {
        bulk: min(|f| f.bulk),
        per_commit: min(|f| f.per_commit),
        scan: min(|f| f.scan),
        lookup: min(|f| f.lookup),
        search: min(|f| f.search),
        bytes: runs[0].bytes,
    }
}

fn main() {
    let tmp = tempfile::TempDir::new_in(std::env::var("BENCH_DIR").unwrap_or_else(|_| ".".into())).unwrap();
    let org = OrgId::parse("org", "border-station-7").unwrap();
    let user = UserName::parse("user", "ana.lopez").unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let data: Vec<Sample> = (0..BULK).map(|i| sample(i, &mut rng, &org)).collect();
    let avg = data.iter().map(|s| s.doc.len()).sum::<usize>() / data.len();
    println!("Waystation store benchmark: {BULK} cases, document JSON {avg} bytes on average");
    println!(
        "one commit per case: {PER_COMMIT} cases; lookups: {LOOKUPS}; searches: {SEARCHES}; best of 3 rounds (scans: best of 21)\n"
    );

    // Interleave the kinds so that disk and CPU noise hits all of them alike.
    let kinds = [Kind::Plain, Kind::Encrypted, Kind::EncryptedDefaults, Kind::PlainTuned];
    let mut runs: Vec<Vec<Figures>> = vec![Vec::new(); kinds.len()];
    for round in 0..3 {
        for (k, kind) in kinds.iter().enumerate() {
            runs[k].push(run_raw(*kind, &data, tmp.path(), round));
        }
    }
    let [plain, enc, enc_default, tuned] = [best(&runs[0]), best(&runs[1]), best(&runs[2]), best(&runs[3])];

    // The full Store path.
    let pass = Passphrase::new("benchmark passphrase").unwrap();
    let store_dir = tmp.path().join("store");
    let mut store = Store::create(&store_dir, &user, &pass, DeviceId::new(), &org, KdfParams::for_tests()).unwrap();
    let batch: Vec<(CaseId, Vec<Change>)> = data.iter().map(|s| (s.id, s.changes.clone())).collect();
    let (store_bulk, ids) = time(|| store.save_new_cases(batch).unwrap());
    assert_eq!(ids.len(), BULK);
    drop(store);
    let commit_dir = tmp.path().join("store-commit");
    let mut store = Store::create(&commit_dir, &user, &pass, DeviceId::new(), &org, KdfParams::for_tests()).unwrap();
    let mut rng2 = rand::rngs::StdRng::seed_from_u64(42);
    let fresh: Vec<Sample> = (0..PER_COMMIT).map(|i| sample(i, &mut rng2, &org)).collect();
    let store_commit = time(|| {
        for s in &fresh {
            store.save_new_case(s.id, s.changes.clone()).unwrap();
        }
    })
    .0;
    drop(store);
    let mut store = Store::unlock(&store_dir, &user, &pass).unwrap();
    let (store_scan, list) = time(|| store.case_list().unwrap());
    assert_eq!(list.len(), BULK);
    let mut sample_ids: Vec<CaseId> = data.iter().map(|s| s.id).collect();
    sample_ids.shuffle(&mut rng);
    let store_read = time(|| {
        for id in &sample_ids[..STORE_READS] {
            store.case(*id).unwrap().unwrap();
        }
    })
    .0;
    let store_search = time(|| {
        for i in 0..STORE_READS {
            assert!(!store.search(&data[i * 7 % data.len()].family).unwrap().is_empty());
        }
    })
    .0;
    let (verify_secs, report) = time(|| store.audit_verify().unwrap());
    let store_bytes = std::fs::metadata(store_dir.join("store.db")).unwrap().len()
        + std::fs::metadata(store_dir.join("store.db-wal")).map(|m| m.len()).unwrap_or(0);
    drop(store);

    // Unlock with the default key derivation.
    let unlock_dir = tmp.path().join("store-unlock");
    let (create_secs, store) =
        time(|| Store::create(&unlock_dir, &user, &pass, DeviceId::new(), &org, KdfParams::default()).unwrap());
    drop(store);
    let mut unlocks: Vec<f64> = (0..5).map(|_| time(|| Store::unlock(&unlock_dir, &user, &pass).unwrap()).0).collect();
    unlocks.sort_by(f64::total_cmp);

    let per_sec = |n: usize, s: f64| n as f64 / s;
    let row = |name: &str, n: usize, get: fn(&Figures) -> f64| {
        let (p, e, d, t) = (get(&plain), get(&enc), get(&enc_default), get(&tuned));
        println!(
            "{name:<30} {:>10.0}/s {:>10.0}/s {:>6.2}x | {:>10.0}/s {:>6.2}x | {:>10.0}/s {:>6.2}x",
            per_sec(n, p),
            per_sec(n, e),
            p / e,
            per_sec(n, d),
            p / d,
            per_sec(n, t),
            t / e
        );
    };
    println!(
        "{:<30} {:>12} {:>12} {:>7} | {:>12} {:>7} | {:>12} {:>7}",
        "raw tables (same rows, SQL)",
        "plain SQLite",
        "encrypted",
        "ratio",
        "SQLCipher dflt",
        "ratio",
        "plain, tuned",
        "enc/it"
    );
    row("bulk insert, one transaction", BULK, |f| f.bulk);
    row("one commit per case", PER_COMMIT, |f| f.per_commit);
    row("full scan after reopening", BULK, |f| f.scan);
    row("lookup by id", LOOKUPS, |f| f.lookup);
    row("search (FTS5, bm25, top 50)", SEARCHES, |f| f.search);
    println!(
        "{:<30} {:>9} KB {:>9} KB {:>7} | {:>9} KB {:>7} | {:>9} KB",
        "file size",
        plain.bytes / 1024,
        enc.bytes / 1024,
        "",
        enc_default.bytes / 1024,
        "",
        tuned.bytes / 1024
    );
    println!("(ratio = encrypted throughput / plain throughput; enc/it = encrypted / plain tuned)");

    println!("\nfull Store API (operations + merge + view + search index + outbox + audit chain, encrypted)");
    let srow = |name: &str, n: usize, ours: f64, base_rate: f64, note: &str| {
        let rate = per_sec(n, ours);
        println!(
            "{name:<34} {rate:>10.0}/s   plain raw {base_rate:>10.0}/s   ratio {:>5.2}x  {note}",
            rate / base_rate
        );
    };
    srow(
        "case import, one transaction",
        BULK,
        store_bulk,
        per_sec(BULK, plain.bulk),
        &format!("({BULK} cases, {store_bulk:.2} s)"),
    );
    srow("save_new_case, one commit each", PER_COMMIT, store_commit, per_sec(PER_COMMIT, plain.per_commit), "");
    srow("case_list after reopening", BULK, store_scan, per_sec(BULK, plain.scan), "(summary columns)");
    srow(
        "case(id), audited read",
        STORE_READS,
        store_read,
        per_sec(LOOKUPS, plain.lookup),
        "(each read commits an audit entry)",
    );
    srow(
        "search, audited",
        STORE_READS,
        store_search,
        per_sec(SEARCHES, plain.search),
        "(each search commits an audit entry)",
    );
    println!("{:<34} {:>10} KB", "store file size (db + wal)", store_bytes / 1024);
    println!(
        "{:<34} {:>10.0} ms   ({} entries, every operation's digest rechecked)",
        "audit verify",
        verify_secs * 1000.0,
        report.entries
    );
    let d = KdfParams::default();
    println!(
        "\nunlock (Argon2id m={} MiB t={} p={}, AES-GCM unwrap, open, audit, key ring): median {:.0} ms \
         (min {:.0}, max {:.0}); create {:.0} ms",
        d.m_cost_kib / 1024,
        d.t_cost,
        d.p_cost,
        unlocks[2] * 1000.0,
        unlocks[0] * 1000.0,
        unlocks[4] * 1000.0,
        create_secs * 1000.0
    );
}
