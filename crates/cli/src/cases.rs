//! `case add`, `case import`, `case show`, `case list`.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, NaiveDate, Utc};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use waystation_core::{CaseId, Change, FieldPath, NewCase, edit, validate_change};
use waystation_store::Store;

fn open(file: &Path) -> Result<Box<dyn Read>> {
    if file == Path::new("-") {
        return Ok(Box::new(std::io::stdin()));
    }
    let f = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    Ok(Box::new(f))
}

/// Write rules match read rules: a note of a class the role this device
/// syncs as may not read is refused before anything is saved (the service
/// would refuse it anyway, and the store would hold a note its role may not
/// see). A local-only store has no role.
fn check_classes(store: &Store, changes: &[Change], place: &str) -> Result<()> {
    let Some(role) = waystation_sync::read_state(store).ok().flatten().and_then(|s| s.role) else { return Ok(()) };
    for change in changes {
        if let Some(class) = change.inherent_class()
            && !role.may_write(class)
        {
            bail!(
                "{place}: a {} note, which this device's role ({role}) may not read, so it may not write it; \
                 nothing was saved",
                class.as_str()
            );
        }
    }
    Ok(())
}

/// Save one case; print its id. Dates after `today` are "in the future".
pub fn add(store: &mut Store, file: &Path, today: NaiveDate) -> Result<()> {
    let mut text = String::new();
    open(file)?.read_to_string(&mut text).with_context(|| format!("cannot read {}", file.display()))?;
    let case =
        NewCase::parse(&text, today).map_err(|e| anyhow::anyhow!("{}: {e}; nothing was saved", file.display()))?;
    let (id, changes) = case.into_changes(&store.owner_org().clone());
    check_classes(store, &changes, &file.display().to_string())?;
    store.save_new_case(id, changes).context("nothing was saved")?;
    println!("{id}");
    Ok(())
}

/// Save many cases from JSON Lines. Every line is parsed before anything is
/// saved, so a broken line saves nothing; then one transaction per batch.
pub fn import(store: &mut Store, file: &Path, batch: usize, today: NaiveDate) -> Result<()> {
    if batch == 0 {
        bail!("--batch must be at least 1");
    }
    let owner = store.owner_org().clone();
    let mut cases = Vec::new();
    for (n, line) in BufReader::new(open(file)?).lines().enumerate() {
        let line = line.with_context(|| format!("{}: cannot read line {}", file.display(), n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let case = NewCase::parse(&line, today)
            .map_err(|e| anyhow::anyhow!("{} line {}: {e}; nothing was saved", file.display(), n + 1))?;
        let (id, changes) = case.into_changes(&owner);
        check_classes(store, &changes, &format!("{} line {}", file.display(), n + 1))?;
        cases.push((id, changes));
    }
    if cases.is_empty() {
        bail!("{} holds no case", file.display());
    }
    let total = cases.len();
    let mut saved = 0usize;
    let mut rest = cases.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<_> = rest.by_ref().take(batch).collect();
        let n = chunk.len();
        store.save_new_cases(chunk).with_context(|| {
            format!("saving cases {}..{} of {total} failed; the {saved} before them were saved", saved + 1, saved + n)
        })?;
        saved += n;
    }
    println!("{saved}");
    Ok(())
}

/// Print one case as JSON: the merged document, its owner and sharing, and any conflicts.
pub fn show(store: &mut Store, id: &str) -> Result<()> {
    let id = CaseId::parse("case id", id)?;
    let Some(view) = store.case(id)? else {
        bail!("case {id} is not in this store");
    };
    let mut out = serde_json::Map::new();
    if let serde_json::Value::Object(doc) = &view.document {
        out.extend(doc.clone());
    }
    out.insert("owner".into(), serde_json::to_value(&view.owner)?);
    out.insert("shared_with".into(), serde_json::to_value(&view.shared_with)?);
    out.insert("conflicts".into(), serde_json::to_value(&view.conflicts)?);
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

/// Change one field of a case, by the same rules as the desktop's case
/// screen (core's [`edit::field_changes`]: the field alone, then the case
/// whole, a time not ahead of this device's clock); print the case.
pub fn set(store: &mut Store, id: &str, field: &str, value: &str, now: DateTime<Utc>) -> Result<()> {
    let id = CaseId::parse("case id", id)?;
    let field = FieldPath::parse(field).map_err(|e| anyhow::anyhow!("{e}; nothing was saved"))?;
    let value = match serde_json::from_str(value) {
        Ok(v) => v,
        Err(_) if !value.trim().is_empty() && !value.trim_start().starts_with(['{', '[', '"']) => {
            serde_json::Value::String(value.to_owned())
        }
        Err(e) => bail!("the value is neither JSON nor a plain word ({e}); nothing was saved"),
    };
    let view = store.case(id)?.ok_or_else(|| anyhow::anyhow!("case {id} is not in this store"))?;
    let edits = vec![edit::FieldEdit { field: field.to_string(), value: value.clone(), was: None }];
    let mut changes = edit::field_changes(&view.document, edits, now).map_err(|errors| {
        let words: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("{}; nothing was saved", words.join("; "))
    })?;
    if changes.is_empty() {
        // The value it holds already: set again, it settles a conflict on the field.
        let change = Change::Set { field, value, supersedes: Vec::new() };
        validate_change(&change, now.date_naive()).map_err(|e| anyhow::anyhow!("{e}; nothing was saved"))?;
        changes.push(change);
    }
    store.edit(id, changes).map_err(|e| match e {
        waystation_store::StoreError::CaseNotFound(_) => anyhow::anyhow!("case {id} is not in this store"),
        e => anyhow::Error::from(e).context("nothing was saved"),
    })?;
    show(store, &id.to_string())
}

/// One line per case: id, status, name, encounter time.
pub fn list(store: &mut Store) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for case in store.case_list()? {
        writeln!(
            out,
            "{}\t{}\t{}\t{}",
            case.id,
            case.status.as_deref().unwrap_or("open"),
            case.name.as_deref().unwrap_or("(no name recorded)"),
            case.encounter_at.as_deref().unwrap_or("-"),
        )?;
    }
    Ok(())
}
