//! Small drawing helpers shared by the panels.

use crate::core::mentions::{self, SpanKind};
use crate::core::{AspectRatio, Localized};
use crate::engine::images::Thumbnail;
use crate::loc;
use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, Sense, Stroke, Ui, Vec2};
use std::collections::HashMap;
use std::sync::Arc;

/// A picture being loaded by the engine.
#[derive(Debug, Clone)]
pub enum Thumb {
    Loading,
    Ready(Arc<Thumbnail>),
    Failed(Localized),
}

/// Thumbnails uploaded to the GPU, by load key (each panel keeps its own).
#[derive(Default)]
pub struct Textures(HashMap<u64, egui::TextureHandle>);

/// Draws a slot's thumbnail fitted into `size` (a spinner while loading, a warning
/// sign when it failed). The GPU texture is made once per slot.
pub fn thumb_image(
    ui: &mut Ui,
    textures: &mut Textures,
    key: u64,
    thumb: &Thumb,
    size: Vec2,
) -> egui::Response {
    match thumb {
        Thumb::Ready(image) => {
            let texture = textures
                .0
                .entry(key)
                .or_insert_with(|| {
                    let color = egui::ColorImage::from_rgba_unmultiplied(
                        [image.width as usize, image.height as usize],
                        &image.rgba,
                    );
                    ui.ctx().load_texture(
                        // not text: the texture's debug name
                        format!("slot-{key}"),
                        color,
                        egui::TextureOptions::LINEAR,
                    )
                })
                .clone();
            let aspect = image.width as f32 / image.height.max(1) as f32;
            let fitted = if aspect > size.x / size.y {
                egui::vec2(size.x, size.x / aspect)
            } else {
                egui::vec2(size.y * aspect, size.y)
            };
            ui.allocate_ui(size, |ui| {
                ui.centered_and_justified(|ui| {
                    ui.add(egui::Image::new((texture.id(), fitted)).corner_radius(4.0))
                })
                .inner
            })
            .inner
        }
        Thumb::Loading => {
            ui.allocate_ui(size, |ui| {
                ui.centered_and_justified(|ui| ui.add(egui::Spinner::new()))
                    .inner
            })
            .inner
        }
        Thumb::Failed(_) => {
            let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
            ui.painter()
                .rect_filled(rect, 4.0, ui.visuals().extreme_bg_color);
            ui.painter().text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "!",
                egui::FontId::proportional(size.y.min(40.0) * 0.6),
                ui.visuals().error_fg_color,
            );
            response
        }
    }
}

/// A button drawn as a rectangle of the ratio's shape, with its label below.
pub fn ratio_button(ui: &mut Ui, ratio: AspectRatio, selected: bool) -> egui::Response {
    let size = egui::vec2(46.0, 48.0);
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    let visuals = ui.style().interact_selectable(&response, selected);
    let accent = ui.visuals().selection.bg_fill;
    let box_area =
        egui::Rect::from_min_size(rect.min + egui::vec2(3.0, 2.0), egui::vec2(40.0, 28.0));
    let aspect = ratio.as_f32();
    let shape = if aspect > box_area.width() / box_area.height() {
        egui::vec2(box_area.width(), box_area.width() / aspect)
    } else {
        egui::vec2(box_area.height() * aspect, box_area.height())
    };
    let shape_rect = egui::Rect::from_center_size(box_area.center(), shape);
    if selected {
        ui.painter()
            .rect_filled(rect, 6.0, accent.gamma_multiply(0.35));
    } else if response.hovered() {
        ui.painter().rect_filled(rect, 6.0, visuals.weak_bg_fill);
    }
    let stroke_color = if selected {
        ui.visuals().strong_text_color()
    } else {
        ui.visuals().text_color()
    };
    ui.painter().rect_stroke(
        shape_rect,
        2.0,
        egui::Stroke::new(1.5, stroke_color),
        egui::StrokeKind::Inside,
    );
    ui.painter().text(
        egui::pos2(rect.center().x, rect.max.y - 8.0),
        egui::Align2::CENTER_CENTER,
        ratio.label(),
        egui::FontId::proportional(11.0),
        stroke_color,
    );
    response.widget_info(|| {
        egui::WidgetInfo::selected(egui::Role::RadioButton, true, selected, ratio.label())
    });
    response
}

/// A button drawn as a die (five pips): rolls a new seed.
pub fn dice_button(ui: &mut Ui, label: &str) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(egui::vec2(24.0, 24.0), Sense::click());
    let visuals = ui.style().interact(&response);
    let face = rect.shrink(2.0);
    ui.painter().rect(
        face,
        4.0,
        visuals.bg_fill,
        visuals.fg_stroke,
        egui::StrokeKind::Inside,
    );
    let pip = |dx: f32, dy: f32| face.center() + egui::vec2(dx, dy) * face.width() * 0.27;
    for (dx, dy) in [
        (-1.0, -1.0),
        (1.0, -1.0),
        (0.0, 0.0),
        (-1.0, 1.0),
        (1.0, 1.0),
    ] {
        ui.painter()
            .circle_filled(pip(dx, dy), 1.8, visuals.fg_stroke.color);
    }
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, label));
    response
}

/// A click is under way this frame: a focus request now would be undone by the
/// widget that lost the click, so focus requests wait for a quiet frame.
pub fn pointer_busy(ui: &Ui) -> bool {
    ui.input(|i| i.pointer.any_pressed() || i.pointer.any_released() || i.pointer.any_down())
}

/// Human file size: `512 KB`, `3.2 MB`, in both languages (pass it to `tr!`
/// as an argument; `Display` gives the English).
pub fn file_size(bytes: u64) -> Localized {
    if bytes >= 1024 * 1024 {
        let size = format!("{:.1}", bytes as f64 / (1024.0 * 1024.0));
        loc!("app-size-mb", size = size)
    } else {
        loc!("app-size-kb", size = bytes.div_ceil(1024))
    }
}

pub fn warn_color(ui: &Ui) -> Color32 {
    ui.visuals().warn_fg_color
}

/// Text in the body style, known mentions as chips, unknown ones in the error colour.
pub fn highlight(ui: &Ui, text: &str, names: &[String]) -> LayoutJob {
    let style = ui.style();
    let font = egui::TextStyle::Body.resolve(style);
    let visuals = &style.visuals;
    let normal = TextFormat::simple(font.clone(), visuals.text_color());
    let chip = TextFormat {
        color: if visuals.dark_mode {
            Color32::from_rgb(150, 200, 255)
        } else {
            Color32::from_rgb(20, 80, 170)
        },
        background: if visuals.dark_mode {
            Color32::from_rgba_unmultiplied(70, 130, 220, 70)
        } else {
            Color32::from_rgba_unmultiplied(70, 130, 220, 45)
        },
        ..normal.clone()
    };
    let unknown = TextFormat {
        color: visuals.error_fg_color,
        underline: Stroke::new(1.5, visuals.error_fg_color),
        ..normal.clone()
    };
    let mut job = LayoutJob::default();
    for span in mentions::parse(text, names) {
        let format = match span.kind {
            SpanKind::Text => normal.clone(),
            SpanKind::Mention => chip.clone(),
            SpanKind::UnknownMention => unknown.clone(),
        };
        job.append(&text[span.bytes], 0.0, format);
    }
    job
}
