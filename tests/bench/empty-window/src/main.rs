//! `waystation-empty-window`: an empty Tauri 2 window, the baseline that
//! `tests/bench/desktop-start.sh` compares the Waystation app's start and
//! memory against. Built the same way as the app (same tauri version and
//! features, `custom-protocol`, release profile, an embedded page), it has no
//! commands, no state and no plugins: what it costs is what Tauri, WebKitGTK
//! and a minimal page cost.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default().run(tauri::generate_context!()).expect("the empty window could not start");
}
