//! The connection bar (picker, identity, region, credential end) and the buckets panel.

use chrono::Utc;
use egui::RichText;

use super::UiLocal;
use crate::app::format;
use crate::app::state::{AppState, ConnectionStatus};
use crate::worker::Command;

/// The "Add connection" form.
#[derive(Debug, Clone, Default)]
pub struct AddConnectionForm {
    /// Name in the picker.
    pub name: String,
    /// Endpoint URL.
    pub endpoint_url: String,
    /// Region.
    pub region: String,
    /// Path-style addressing.
    pub path_style: bool,
    /// Use typed keys (else an existing profile).
    pub use_keys: bool,
    /// Existing profile to use.
    pub profile: String,
    /// Typed access key id.
    pub access_key: String,
    /// Typed secret (kept only until saved to the credentials file).
    pub secret_key: String,
    /// What is wrong with the form.
    pub problem: Option<String>,
}

/// The top bar.
pub fn connection_bar_ui(ui: &mut egui::Ui, state: &mut AppState, local: &mut UiLocal, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let current = state
            .current_choice
            .and_then(|i| state.choices.get(i))
            .map_or("Choose a connection…".to_owned(), |c| c.name.clone());
        let mut chosen = None;
        let label = ui.label("Connection");
        egui::ComboBox::from_id_salt("connection")
            .selected_text(current)
            .width(220.0)
            .show_ui(ui, |ui| {
                for (i, choice) in state.choices.iter().enumerate() {
                    if ui.selectable_label(state.current_choice == Some(i), &choice.name).clicked() {
                        chosen = Some(i);
                    }
                }
            })
            .response
            .labelled_by(label.id);
        if let Some(i) = chosen {
            out.extend(state.choose_connection(i));
        }
        if ui.button("Add connection…").clicked() {
            local.add_connection = Some(AddConnectionForm { path_style: true, ..AddConnectionForm::default() });
        }
        ui.separator();
        match &state.connection {
            ConnectionStatus::Disconnected => {
                ui.label("Not connected — pick a connection or add one");
            }
            ConnectionStatus::Connecting => {
                ui.spinner();
                ui.label("Connecting…");
            }
            ConnectionStatus::Failed => {
                ui.colored_label(ui.visuals().error_fg_color, "Not connected (see the message)");
            }
            ConnectionStatus::Connected(summary) => {
                ui.label(format!("Connected as {}", summary.identity)).on_hover_text("The access key in use");
                ui.label(format!("region {}", summary.region));
                if let Some(endpoint) = &summary.endpoint {
                    ui.label(RichText::new(endpoint).weak());
                }
                if let Some(end) = summary.credentials_expire_at {
                    let left = (end - Utc::now()).num_seconds().max(0) as u64;
                    ui.label(format!(
                        "credentials end {} (in {})",
                        format::local_time(end),
                        format::duration_words(left)
                    ))
                    .on_hover_text("Temporary credentials: links made with them stop working when they end");
                }
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let folder = state.browser.folder.clone();
            if ui.add_enabled(folder.is_some(), egui::Button::new("Upload…")).on_hover_text("Ctrl+U").clicked()
                && let Some(folder) = folder
            {
                out.push(Command::PickUploadFiles { folder });
            }
            if ui.button("⟳ Refresh").on_hover_text("F5").clicked() {
                out.extend(state.refresh());
            }
            egui::global_theme_preference_buttons(ui);
        });
    });
}

/// The buckets panel.
pub fn buckets_ui(ui: &mut egui::Ui, state: &mut AppState, out: &mut Vec<Command>) {
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
    ui.heading("Buckets");
    if state.buckets_loading {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Loading…");
        });
    } else if state.buckets.is_empty() && matches!(state.connection, ConnectionStatus::Connected(_)) {
        ui.label(RichText::new("No buckets visible with these credentials.").weak());
    }
    let open = state.browser.folder.as_ref().map(|f| f.bucket.clone());
    let mut clicked = None;
    egui::ScrollArea::vertical().show(ui, |ui| {
        for bucket in &state.buckets {
            let selected = open.as_deref() == Some(bucket.name.as_str());
            ui.horizontal(|ui| {
                if ui.selectable_label(selected, &bucket.name).clicked() {
                    clicked = Some(bucket.name.clone());
                }
                if let Some(region) = &bucket.region {
                    ui.label(RichText::new(region).weak().small()).on_hover_text("the bucket's region");
                }
            });
        }
    });
    if let Some(bucket) = clicked {
        out.extend(state.open_bucket(&bucket));
    }
}
