//! Generates Tauri's context (the embedded page, the capability) for the empty window.

fn main() {
    tauri_build::build();
}
