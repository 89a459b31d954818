//! The bottom panel: transfers (progress, speed, time left, cancel) and the link history.

use std::time::Instant;

use chrono::Utc;
use egui::RichText;

use super::{BottomTab, UiLocal};
use crate::app::format;
use crate::app::state::AppState;
use crate::app::transfer::{TransferKind, TransferStatus};
use crate::worker::Command;

/// The bottom panel.
pub fn bottom_ui(ui: &mut egui::Ui, state: &mut AppState, local: &mut UiLocal, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let active = state.transfers.iter().filter(|t| t.is_active()).count();
        ui.selectable_value(&mut local.bottom_tab, BottomTab::Transfers, format!("Transfers ({active} running)"));
        ui.selectable_value(
            &mut local.bottom_tab,
            BottomTab::History,
            format!("Link history ({})", state.settings.history.len()),
        );
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.checkbox(&mut state.settings.copy_link_after_upload, "Copy link after upload");
        });
    });
    ui.separator();
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| match local.bottom_tab {
        BottomTab::Transfers => transfers_ui(ui, state, out),
        BottomTab::History => history_ui(ui, state),
    });
}

fn transfers_ui(ui: &mut egui::Ui, state: &mut AppState, out: &mut Vec<Command>) {
    if state.transfers.is_empty() {
        ui.label(RichText::new("No transfers yet. Drop files on the window or press Upload… (Ctrl+U).").weak());
        return;
    }
    let now = Instant::now();
    let mut clear_finished = false;
    for transfer in state.transfers.iter().rev() {
        ui.horizontal(|ui| {
            ui.label(if transfer.kind == TransferKind::Upload { "⬆" } else { "⬇" });
            ui.allocate_ui_with_layout(
                egui::vec2(200.0, 18.0),
                egui::Layout::left_to_right(egui::Align::Center),
                |ui| ui.add(egui::Label::new(transfer.label()).truncate()),
            );
            let text = match &transfer.status {
                TransferStatus::Running => {
                    let speed = transfer.speed(now);
                    let left =
                        transfer.seconds_left(now).map_or("…".to_owned(), |s| format::duration_words(s.ceil() as u64));
                    format!(
                        "{} of {} · {}/s · {} left",
                        format::size(transfer.progress.done),
                        format::size(transfer.progress.total),
                        format::size(speed as u64),
                        left
                    )
                }
                TransferStatus::Queued => "waiting for a free slot".to_owned(),
                TransferStatus::Conflict => "waiting: the name is taken".to_owned(),
                TransferStatus::Done => format!("done · {}", format::size(transfer.progress.total)),
                TransferStatus::Cancelled => "cancelled — nothing left behind".to_owned(),
                TransferStatus::Skipped => "skipped".to_owned(),
                TransferStatus::Failed(message) => format!("failed: {message}"),
            };
            let width = (ui.available_width() - 70.0).max(160.0);
            ui.add(egui::ProgressBar::new(transfer.fraction()).desired_width(width).text(text));
            let cancellable = matches!(transfer.status, TransferStatus::Running | TransferStatus::Queued);
            if cancellable && ui.button("Cancel").clicked() {
                out.push(Command::Cancel { id: transfer.id });
            }
        });
    }
    if state.transfers.iter().any(|t| !t.is_active()) && ui.button("Clear finished").clicked() {
        clear_finished = true;
    }
    if clear_finished {
        state.transfers.retain(|t| t.is_active());
    }
}

fn history_ui(ui: &mut egui::Ui, state: &mut AppState) {
    ui.label(
        RichText::new(
            "A link cannot be revoked, only outlived: to stop one early, delete the object or rotate the access key.",
        )
        .weak(),
    );
    if state.settings.history.is_empty() {
        ui.label(RichText::new("Links you copy appear here.").weak());
        return;
    }
    let now = Utc::now();
    let mut copy = None;
    egui::Grid::new("history").striped(true).num_columns(5).show(ui, |ui| {
        for entry in &state.settings.history {
            ui.allocate_ui_with_layout(
                egui::vec2(360.0, 18.0),
                egui::Layout::left_to_right(egui::Align::Center),
                |ui| ui.add(egui::Label::new(&entry.object).truncate()),
            );
            ui.label(if entry.method == "PUT" { "upload link" } else { "download link" });
            ui.label(format!("made {}", format::short_time(Some(entry.created_at))));
            let left = (entry.effective_expires_at - now).num_seconds();
            if left > 0 {
                ui.label(format!("ends in {}", format::duration_words(left as u64)));
            } else {
                ui.label(RichText::new("expired").weak());
            }
            match &entry.url {
                Some(url) if left > 0 => {
                    if ui.small_button("Copy again").clicked() {
                        copy = Some(url.clone());
                    }
                }
                None if left > 0 => {
                    ui.label(RichText::new("not kept (temporary credentials)").weak().small());
                }
                _ => {
                    ui.label("");
                }
            }
            ui.end_row();
        }
    });
    if let Some(url) = copy {
        state.clipboard_out = Some(url);
        state.toast("Link copied again");
    }
}
