//! A bare eframe window built with the same eframe as the app: the baseline of
//! `benches/startup.rs`. Prints "first frame" on standard output when the first
//! frame is drawn, like `r2v-studio` does with `R2V_REPORT_FIRST_FRAME=1`.

use std::io::Write;

struct Bare {
    reported: bool,
}

impl eframe::App for Bare {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.label("bare eframe window");
        });
        if !self.reported {
            self.reported = true;
            let mut out = std::io::stdout();
            let _ = writeln!(out, "first frame");
            let _ = out.flush();
        }
    }
}

fn main() -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("bare")
            .with_inner_size([1280.0, 800.0]),
        ..Default::default()
    };
    eframe::run_native(
        "bare-window",
        options,
        Box::new(|_| Ok(Box::new(Bare { reported: false }))),
    )
}
