//! The share panel: object details, expiry slider and presets, the link's exact end,
//! credential warning, download name, upload-link mode, copy buttons and the QR code.

use chrono::Utc;
use egui::RichText;

use super::UiLocal;
use crate::app::format;
use crate::app::state::{AppState, ConnectionStatus, LinkMode};
use crate::local::embedded::Reach;
use crate::share::{LinkExpiry, LinkQrCode};
use crate::worker::{Command, LinkPurpose};

/// Presets under the slider.
const PRESETS: [(&str, u64); 4] = [("15 min", 900), ("1 h", 3600), ("1 day", 86_400), ("7 days", 604_800)];
/// The slider's range: 1 minute to 7 days.
const SLIDER_MIN_SECS: f64 = 60.0;

/// The right-hand panel.
pub fn share_panel_ui(ui: &mut egui::Ui, state: &mut AppState, local: &mut UiLocal, out: &mut Vec<Command>) {
    ui.heading("Share");
    if state.browser.folder.is_none() {
        ui.label(RichText::new("Open a bucket and select a file to share it.").weak());
        return;
    }
    if state.on_this_computer() {
        local_store_note_ui(ui, state, out);
    }
    ui.horizontal(|ui| {
        ui.radio_value(&mut state.share.mode, LinkMode::Download, "Download link");
        ui.radio_value(&mut state.share.mode, LinkMode::Upload, "Upload link");
    });
    ui.separator();

    match state.share.mode {
        LinkMode::Download => {
            let Some(object) = state.browser.selected_object() else {
                ui.label(RichText::new("Select a file in the list to make a link to it.").weak());
                return;
            };
            ui.label(RichText::new(object.file_name()).strong().size(15.0));
            details_ui(ui, state);
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                ui.label("Save as");
                ui.add(
                    egui::TextEdit::singleline(&mut state.share.download_name)
                        .hint_text(object.file_name())
                        .desired_width(200.0),
                );
            })
            .response
            .on_hover_text("The file name the recipient's browser saves the download as");
        }
        LinkMode::Upload => {
            ui.label("A link someone can use to upload one file into this folder:");
            ui.horizontal(|ui| {
                ui.label("File name");
                ui.add(
                    egui::TextEdit::singleline(&mut state.share.upload_name)
                        .hint_text("e.g. report.pdf")
                        .desired_width(200.0),
                );
            });
            ui.horizontal(|ui| {
                ui.label("Content type");
                ui.add(
                    egui::TextEdit::singleline(&mut state.share.content_type)
                        .hint_text("optional, e.g. application/pdf")
                        .desired_width(180.0),
                );
            });
            if !state.share.content_type.trim().is_empty() {
                ui.label(
                    RichText::new("The uploader must send exactly this Content-Type (the curl command does).")
                        .weak()
                        .small(),
                );
            }
        }
    }

    ui.add_space(6.0);
    expiry_ui(ui, state);
    ui.add_space(6.0);

    let request_ready = state.link_request().is_some();
    ui.horizontal(|ui| {
        let copy = ui.add_enabled(
            request_ready,
            egui::Button::new(RichText::new("📋 Copy link").strong()).min_size(egui::vec2(110.0, 28.0)),
        );
        if copy.on_hover_text("Ctrl+C").clicked() {
            out.extend(state.make_link(LinkPurpose::CopyUrl));
        }
        if ui.add_enabled(request_ready, egui::Button::new("Copy as curl")).clicked() {
            out.extend(state.make_link(LinkPurpose::CopyCurl));
        }
    });

    if state.share.mode == LinkMode::Download
        && let Some(object) = state.browser.selected_object()
    {
        ui.horizontal(|ui| {
            if ui.button("Download…").clicked() {
                out.push(Command::PickDownloadTarget { source: object.clone() });
            }
            if ui.button("Delete…").clicked() {
                state.confirm_delete = Some(object.clone());
            }
        });
    }

    last_link_ui(ui, state, local);
}

/// Where links to the built-in store work, and the switch to share it on the local network.
fn local_store_note_ui(ui: &mut egui::Ui, state: &mut AppState, out: &mut Vec<Command>) {
    let mut on_lan = state.local_reach == Reach::LocalNetwork;
    match state.local_reach {
        Reach::ThisComputer => {
            ui.label(
                RichText::new("Stored on this computer: its links work while s3share runs, and only on this computer.")
                    .weak(),
            );
        }
        Reach::LocalNetwork => {
            let endpoint = match &state.connection {
                ConnectionStatus::Connected(summary) => summary.endpoint.clone().unwrap_or_default(),
                _ => String::new(),
            };
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("Shared on your local network at {endpoint}: anyone on the network who gets a link can use it while s3share runs. The store's keys stay here."),
            );
        }
    }
    if ui.checkbox(&mut on_lan, "Share on local network").changed() {
        out.extend(state.set_local_reach(if on_lan { Reach::LocalNetwork } else { Reach::ThisComputer }));
    }
    ui.separator();
}

fn details_ui(ui: &mut egui::Ui, state: &AppState) {
    match &state.details {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("reading details…");
            });
        }
        Some((_, Err(message))) => {
            ui.colored_label(ui.visuals().warn_fg_color, format!("No details: {message}"));
        }
        Some((_, Ok(details))) => {
            egui::Grid::new("details").num_columns(2).spacing([12.0, 2.0]).show(ui, |ui| {
                ui.label("Size");
                ui.label(format!("{} ({} bytes)", format::size(details.size), details.size));
                ui.end_row();
                ui.label("Type");
                ui.label(details.content_type.as_deref().unwrap_or("—"));
                ui.end_row();
                ui.label("Modified");
                ui.label(details.last_modified.map_or("—".to_owned(), format::local_time));
                ui.end_row();
                ui.label("ETag");
                ui.add(egui::Label::new(details.etag.as_deref().unwrap_or("—")).truncate());
                ui.end_row();
                ui.label("Storage class");
                ui.label(details.storage_class.as_deref().unwrap_or("STANDARD"));
                ui.end_row();
            });
        }
    }
}

fn expiry_ui(ui: &mut egui::Ui, state: &mut AppState) {
    ui.label(RichText::new("Link expires after").strong());
    let mut secs = state.expiry().as_secs() as f64;
    let max = LinkExpiry::MAX.as_secs() as f64;
    ui.spacing_mut().slider_width = 200.0;
    let slider = egui::Slider::new(&mut secs, SLIDER_MIN_SECS..=max)
        .logarithmic(true)
        .custom_formatter(|v, _| format::duration_words(v.round() as u64))
        .custom_parser(|text| LinkExpiry::parse(text).ok().map(|e| e.as_secs() as f64));
    if ui.add(slider).changed() {
        state.settings.expiry_secs = round_expiry(secs);
    }
    ui.horizontal(|ui| {
        for (label, preset) in PRESETS {
            if ui.selectable_label(state.settings.expiry_secs == preset, label).clicked() {
                state.settings.expiry_secs = preset;
            }
        }
    });
    let now = Utc::now();
    let end = now + state.expiry().duration();
    match state.credentials_cut_short(now) {
        Some(credentials_end) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "⚠ Your credentials end at {}: a link made now stops working then, not at {}. Use longer-lived credentials for a longer link.",
                    format::local_time(credentials_end),
                    format::local_time(end)
                ),
            );
        }
        None => {
            ui.label(format!("The link stops working at {}", format::local_time(end)));
        }
    }
}

/// Rounds a slider value to something a person would pick: whole minutes below a day, quarter hours above.
fn round_expiry(secs: f64) -> u64 {
    let secs = secs.round() as u64;
    let step = if secs < 3600 {
        60
    } else if secs < 86_400 {
        300
    } else {
        900
    };
    ((secs + step / 2) / step * step).clamp(SLIDER_MIN_SECS as u64, LinkExpiry::MAX.as_secs())
}

fn last_link_ui(ui: &mut egui::Ui, state: &AppState, local: &mut UiLocal) {
    let Some(link) = &state.share.last_link else { return };
    ui.separator();
    ui.label(RichText::new(if link.method == "PUT" { "Upload link" } else { "Last link" }).strong());
    ui.add(egui::Label::new(RichText::new(&link.url).monospace().small()).truncate()).on_hover_text(&link.url);
    let left = (link.effective_expires_at - Utc::now()).num_seconds().max(0) as u64;
    ui.label(format!(
        "works until {} (in {})",
        format::local_time(link.effective_expires_at),
        format::duration_words(left)
    ));
    if link.ends_early() {
        ui.colored_label(ui.visuals().warn_fg_color, "cut short: the credentials that signed it end then");
    }
    if let Some(note) = link.clock_note() {
        ui.colored_label(ui.visuals().warn_fg_color, note);
    }
    if let Some(note) = link.browser_note() {
        ui.colored_label(ui.visuals().warn_fg_color, note);
    }
    // The worker encodes the QR code; until it is back, its place is kept (no jump in the layout).
    match state.share.qr.as_ref().filter(|(url, _)| *url == link.url) {
        Some((_, Some(code))) => {
            if local.qr.as_ref().is_none_or(|(url, _)| *url != code.text) {
                let texture = ui.ctx().load_texture("link-qr", qr_image(code), egui::TextureOptions::NEAREST);
                local.qr = Some((code.text.clone(), texture));
            }
            if let Some((_, texture)) = &local.qr {
                ui.add(egui::Image::new(texture).fit_to_exact_size(egui::vec2(180.0, 180.0)));
            }
        }
        Some((_, None)) => {
            ui.label(RichText::new("This link is too long for a QR code.").weak().small());
        }
        None => {
            ui.allocate_space(egui::vec2(180.0, 180.0));
        }
    }
    ui.label(
        RichText::new(
            "A link cannot be revoked, only outlived: delete the object (or rotate the key) to stop it early.",
        )
        .weak()
        .small(),
    );
}

/// The QR code as an image, one pixel per module with a 4-module quiet zone.
fn qr_image(code: &LinkQrCode) -> egui::ColorImage {
    let width = code.width;
    let border = 4;
    let size = width + 2 * border;
    let mut pixels = vec![egui::Color32::WHITE; size * size];
    for y in 0..width {
        for x in 0..width {
            if code.is_dark(x, y) {
                pixels[(y + border) * size + x + border] = egui::Color32::BLACK;
            }
        }
    }
    egui::ColorImage::new([size, size], pixels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slider_values_round_to_readable_steps() {
        assert_eq!(round_expiry(61.4), 60);
        assert_eq!(round_expiry(3725.0), 3600);
        assert_eq!(round_expiry(604_799.0), 604_800);
        assert_eq!(round_expiry(10.0), 60);
    }

    #[test]
    fn qr_images_have_a_quiet_zone_around_the_code() {
        let code = LinkQrCode::encode(&"https://example.com/".repeat(40)).unwrap();
        let image = qr_image(&code);
        assert_eq!(image.size, [code.width + 8, code.width + 8]);
        assert_eq!(image.pixels[0], egui::Color32::WHITE, "quiet zone");
        assert_eq!(image.pixels[4 * image.size[0] + 4], egui::Color32::BLACK, "finder pattern corner");
    }
}
