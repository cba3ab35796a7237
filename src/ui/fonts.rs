//! Fonts: egui's defaults have no CJK glyphs, so a subset of Noto Sans SC is bundled and put
//! after them in every family. Characters neither has are looked up among the system fonts by
//! eframe's system font provider (its `system_fonts` feature), on demand.

use std::sync::Arc;

use eframe::egui::{self, FontData, FontDefinitions, FontFamily};

const NOTO_SANS_SC: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Subset.otf");
const NOTO_SANS_SC_NAME: &str = "Noto Sans SC (subset)";

pub fn font_definitions() -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        NOTO_SANS_SC_NAME.to_owned(),
        Arc::new(FontData::from_static(NOTO_SANS_SC)),
    );
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .push(NOTO_SANS_SC_NAME.to_owned());
    }
    fonts
}

pub fn install(ctx: &egui::Context) {
    ctx.set_fonts(font_definitions());
}
