//! Shared by the window tests: the whole window in a 1280×800 kittest harness,
//! with the app's own fonts (so missing glyphs fail the test).

use egui_kittest::Harness;
use r2v_studio::ui::app::app_ui;
use r2v_studio::ui::fonts;
use r2v_studio::ui::state::AppState;

pub fn harness(state: AppState) -> Harness<'static, AppState> {
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(
            |ui, state: &mut AppState| {
                fonts::install(ui.ctx());
                app_ui(ui, state);
            },
            state,
        )
}
