//! Waystation's desktop app: the Tauri shell. It owns the window, the idle
//! lock and the commands; the commands only parse their input, call
//! `waystation-store` and `waystation-core`, and map errors to
//! `{code, message}`. Everything a test without a window needs is in those
//! crates.

pub mod bindings;
pub mod commands;
pub mod document;
pub mod error;
pub mod settings;
pub mod state;
pub mod sync_task;
pub mod views;
pub mod vocabulary;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tauri::Manager;

use crate::state::AppState;

/// Where the store lives: `WAYSTATION_STORE`, else `store/` in the app's data folder.
fn store_dir(app: &tauri::App) -> PathBuf {
    if let Some(dir) = std::env::var_os("WAYSTATION_STORE") {
        return PathBuf::from(dir);
    }
    app.path().app_data_dir().map(|d| d.join("store")).unwrap_or_else(|_| PathBuf::from("waystation-store"))
}

/// Lock the store after the idle time, even if the window stopped asking.
fn watch_idle(state: AppState) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(5));
            state.shared().lock_if_idle(Instant::now());
        }
    });
}

/// Start the app.
pub fn run() {
    tauri::Builder::default()
        .setup(|app| {
            let state = AppState::new(store_dir(app));
            let handle = app.handle().clone();
            state.set_emitter(std::sync::Arc::new(move |event: &str, payload: serde_json::Value| {
                use tauri::Emitter as _;
                let _ = handle.emit(event, payload);
            }));
            watch_idle(state.clone());
            app.manage(state);
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .expect("the Waystation window could not start");
}
