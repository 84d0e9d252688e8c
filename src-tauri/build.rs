//! Generates Tauri's context and one permission per app command, so the
//! capability file can allow exactly the commands the window uses.

const COMMANDS: &[&str] = &[
    "store_state",
    "store_create",
    "device_enroll",
    "unlock",
    "lock",
    "change_passphrase",
    "settings_get",
    "settings_set",
    "case_list",
    "case_search",
    "case_get",
    "case_save_new",
    "case_add_note",
    "case_resolve_conflict",
    "case_referral_status",
    "case_add_referral",
    "case_remove_item",
    "case_stop_sharing",
    "case_add_service",
    "case_add_relief",
    "case_add_outcome",
    "case_relief_milestone",
    "case_set_fields",
    "case_set_item_fields",
    "draft_load",
    "draft_save",
    "draft_discard",
    "screening_instruments",
    "screening_evaluate",
    "sync_status",
    "sync_now",
    "sync_move_service",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
