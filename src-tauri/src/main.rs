//! The Waystation desktop app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    waystation_desktop::run();
}
