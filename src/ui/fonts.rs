//! Fonts: egui's defaults, then a bundled CJK subset so that Chinese, Japanese and
//! Korean never depend on what the machine has installed.

use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};
use egui::{FontData, FontFamily};

/// Noto Sans CJK SC (SIL Open Font License 1.1), subset by
/// `assets/fonts/make-cjk-subset.py`: GB2312, kana, common Hangul, CJK punctuation.
// not text: the bundled font file
pub static CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansCJKsc-subset.otf");

/// Adds the CJK font as a fallback after egui's own fonts (and before system fonts).
pub fn install(ctx: &egui::Context) {
    let families = [FontFamily::Proportional, FontFamily::Monospace]
        .into_iter()
        .map(|family| InsertFontFamily {
            family,
            priority: FontPriority::Lowest,
        })
        .collect();
    ctx.add_font(FontInsert::new(
        // not text: egui's name for the font
        "noto-sans-cjk-sc-subset",
        FontData::from_static(CJK_FONT),
        families,
    ));
}
