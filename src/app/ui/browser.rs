//! The browser: breadcrumbs, Up, filter, and the virtualized, sortable table of folders and objects.

use egui::{Align, Layout, RichText, Sense};
use egui_extras::{Column, TableBuilder};

use super::UiLocal;
use crate::app::browser::{ListingStatus, SortColumn};
use crate::app::format;
use crate::app::state::AppState;
use crate::worker::Command;

const ROW_HEIGHT: f32 = 22.0;

/// The central panel.
pub fn browser_ui(ui: &mut egui::Ui, state: &mut AppState, local: &mut UiLocal, out: &mut Vec<Command>) {
    let Some(folder) = state.browser.folder.clone() else {
        ui.add_space(40.0);
        ui.vertical_centered(|ui| {
            ui.label(RichText::new("Pick a bucket on the left to browse it.").size(16.0));
            ui.label(RichText::new("Then select a file and copy its link, or drop files here to upload them.").weak());
        });
        return;
    };

    ui.horizontal(|ui| {
        if ui.add_enabled(!folder.key.is_empty(), egui::Button::new("⬆ Up")).on_hover_text("Backspace").clicked() {
            out.extend(state.go_up());
        }
        let crumbs = state.browser.breadcrumbs();
        let last = crumbs.len().saturating_sub(1);
        for (i, (label, target)) in crumbs.into_iter().enumerate() {
            if i > 0 {
                ui.label(RichText::new("/").weak());
            }
            if i == last {
                ui.label(RichText::new(label).strong());
            } else if ui.link(label).clicked() {
                out.extend(state.open_folder(target));
            }
        }
    });

    ui.horizontal(|ui| {
        let mut filter = state.browser.filter.clone();
        let response =
            ui.add(egui::TextEdit::singleline(&mut filter).hint_text("Filter (Ctrl+F)").desired_width(220.0));
        if local.focus_filter {
            response.request_focus();
            local.focus_filter = false;
        }
        if filter != state.browser.filter {
            state.browser.set_filter(filter);
        }
        let total = state.browser.rows.len();
        let shown = state.browser.visible.len();
        let noun = if total == 1 { "item" } else { "items" };
        let count = if shown == total { format!("{total} {noun}") } else { format!("{shown} of {total} {noun}") };
        ui.label(count);
        match state.browser.status {
            ListingStatus::Loading => {
                ui.spinner();
                ui.label("loading more…");
            }
            ListingStatus::Failed => {
                ui.colored_label(ui.visuals().error_fg_color, "listing failed");
            }
            ListingStatus::Complete | ListingStatus::Idle => {}
        }
    });
    ui.separator();

    if state.browser.rows.is_empty() && state.browser.status == ListingStatus::Complete {
        ui.label(RichText::new("This folder is empty. Drop files here or press Upload… to add some.").weak());
        return;
    }
    table_ui(ui, state, local, out);
}

fn sort_header(ui: &mut egui::Ui, state: &mut AppState, column: SortColumn, label: &str) {
    let arrow = match (state.browser.sort == column, state.browser.ascending) {
        (true, true) => " ⏶",
        (true, false) => " ⏷",
        (false, _) => "",
    };
    if ui.add(egui::Button::new(RichText::new(format!("{label}{arrow}")).strong()).frame(false)).clicked() {
        state.browser.sort_by(column);
    }
}

fn table_ui(ui: &mut egui::Ui, state: &mut AppState, local: &mut UiLocal, out: &mut Vec<Command>) {
    let mut table = TableBuilder::new(ui)
        .id_salt(("objects", state.browser.generation))
        .striped(true)
        .sense(Sense::click())
        .cell_layout(Layout::left_to_right(Align::Center))
        .column(Column::exact(20.0))
        .column(Column::remainder().at_least(160.0).clip(true))
        .column(Column::exact(90.0))
        .column(Column::exact(130.0));
    if local.scroll_to_selection
        && let Some(pos) = state.browser.selected_position()
    {
        table = table.scroll_to_row(pos, None);
    }
    local.scroll_to_selection = false;

    let mut clicked = None;
    let mut activated = None;
    let table = table.header(ROW_HEIGHT, |mut header| {
        header.col(|_| {});
        header.col(|ui| sort_header(ui, state, SortColumn::Name, "Name"));
        header.col(|ui| sort_header(ui, state, SortColumn::Size, "Size"));
        header.col(|ui| sort_header(ui, state, SortColumn::Modified, "Modified"));
    });
    let browser = &state.browser;
    table.body(|body| {
        body.rows(ROW_HEIGHT, browser.visible.len(), |mut row| {
            let index = browser.visible[row.index()];
            let item = &browser.rows[index];
            row.set_selected(browser.selected == Some(index));
            row.col(|ui| {
                ui.label(if item.is_folder { "📁" } else { "📄" });
            });
            row.col(|ui| {
                ui.add(egui::Label::new(&item.name).truncate().selectable(false));
            });
            row.col(|ui| {
                if !item.is_folder {
                    ui.label(format::size(item.size));
                }
            });
            row.col(|ui| {
                ui.label(format::short_time(item.modified));
            });
            let response = row.response();
            if response.clicked() {
                clicked = Some(index);
            }
            if response.double_clicked() {
                activated = Some(index);
            }
        });
    });
    if let Some(index) = clicked.or(activated) {
        out.extend(state.select_row(index));
    }
    if activated.is_some() {
        out.extend(state.activate_selection());
    }
}
