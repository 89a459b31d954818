//! Drawing. Every function here reads and edits [`AppState`] and pushes [`Command`]s; none does I/O.

mod bottom;
mod browser;
mod connection;
mod dialogs;
mod share;

use egui::{Key, Modifiers};

use super::state::AppState;
use crate::worker::{Command, LinkPurpose};

pub use connection::AddConnectionForm;

/// The name of the connection given by command-line flags.
pub const COMMAND_LINE_CONNECTION: &str = "Command line";

/// Which tab the bottom panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BottomTab {
    /// Uploads and downloads.
    #[default]
    Transfers,
    /// Links made.
    History,
}

/// State that only the drawing needs: open forms, focus requests, cached textures.
#[derive(Default)]
pub struct UiLocal {
    /// The "Add connection" form, when open.
    pub add_connection: Option<AddConnectionForm>,
    /// Focus the filter box this frame.
    pub focus_filter: bool,
    /// Scroll the table to the selection this frame.
    pub scroll_to_selection: bool,
    /// The QR code texture and the URL it encodes.
    pub qr: Option<(String, egui::TextureHandle)>,
    /// The bottom panel's tab.
    pub bottom_tab: BottomTab,
    /// Errors whose details are shown.
    pub expanded_errors: std::collections::HashSet<usize>,
}

/// The whole window.
pub fn app_ui(ui: &mut egui::Ui, state: &mut AppState, local: &mut UiLocal, out: &mut Vec<Command>) {
    keyboard(ui.ctx(), state, local, out);
    dropped_files(ui.ctx(), state, out);

    egui::Panel::top("connection_bar").show(ui, |ui| connection::connection_bar_ui(ui, state, local, out));
    egui::Panel::left("buckets")
        .resizable(true)
        .default_size(190.0)
        .min_size(160.0)
        .show(ui, |ui| connection::buckets_ui(ui, state, out));
    egui::Panel::right("share").resizable(true).default_size(330.0).min_size(280.0).show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| share::share_panel_ui(ui, state, local, out));
    });
    egui::Panel::bottom("bottom")
        .resizable(true)
        .default_size(150.0)
        .show(ui, |ui| bottom::bottom_ui(ui, state, local, out));
    egui::CentralPanel::default().show(ui, |ui| {
        dialogs::errors_ui(ui, state, local);
        browser::browser_ui(ui, state, local, out);
    });

    dialogs::welcome_ui(ui.ctx(), state, local);
    dialogs::add_connection_ui(ui.ctx(), state, local, out);
    dialogs::conflict_ui(ui.ctx(), state, out);
    dialogs::interrupted_uploads_ui(ui.ctx(), state, out);
    dialogs::delete_ui(ui.ctx(), state, out);
    dialogs::drop_overlay_ui(ui.ctx(), state);
    dialogs::toasts_ui(ui.ctx(), state);
}

/// Keyboard shortcuts: arrows, Enter, Backspace, Ctrl+C, Ctrl+U, Ctrl+F, F5.
fn keyboard(ctx: &egui::Context, state: &mut AppState, local: &mut UiLocal, out: &mut Vec<Command>) {
    let typing = ctx.egui_wants_keyboard_input();
    let modal_open = state.show_welcome
        || local.add_connection.is_some()
        || !state.conflicts.is_empty()
        || state.confirm_delete.is_some();
    if modal_open {
        return;
    }
    ctx.input_mut(|input| {
        if input.consume_key(Modifiers::COMMAND, Key::F) {
            local.focus_filter = true;
        }
        if input.consume_key(Modifiers::NONE, Key::F5) {
            out.extend(state.refresh());
        }
        if input.consume_key(Modifiers::COMMAND, Key::U)
            && let Some(folder) = state.browser.folder.clone()
        {
            out.push(Command::PickUploadFiles { folder });
        }
        if typing {
            return;
        }
        if input.consume_key(Modifiers::COMMAND, Key::C) || input.events.iter().any(|e| matches!(e, egui::Event::Copy))
        {
            input.events.retain(|e| !matches!(e, egui::Event::Copy));
            out.extend(state.make_link(LinkPurpose::CopyUrl));
        }
        if input.consume_key(Modifiers::NONE, Key::ArrowDown) {
            select_by(state, 1, out);
            local.scroll_to_selection = true;
        }
        if input.consume_key(Modifiers::NONE, Key::ArrowUp) {
            select_by(state, -1, out);
            local.scroll_to_selection = true;
        }
        if input.consume_key(Modifiers::NONE, Key::Enter) {
            out.extend(state.activate_selection());
        }
        if input.consume_key(Modifiers::NONE, Key::Backspace) {
            out.extend(state.go_up());
        }
    });
}

fn select_by(state: &mut AppState, delta: isize, out: &mut Vec<Command>) {
    if let Some(index) = state.browser.neighbour(delta) {
        out.extend(state.select_row(index));
    }
}

/// Files dropped on the window upload into the current folder, through the same path as the dialog.
fn dropped_files(ctx: &egui::Context, state: &mut AppState, out: &mut Vec<Command>) {
    let dropped: Vec<std::path::PathBuf> = ctx.input(|i| {
        i.raw.dropped_files.iter().map(|f| f.path().to_owned()).filter(|p| !p.as_os_str().is_empty()).collect()
    });
    if dropped.is_empty() {
        return;
    }
    match state.browser.folder.clone() {
        Some(folder) => out.extend(state.upload_files(dropped, &folder)),
        None => state.toast("Open a bucket first, then drop files to upload them there"),
    }
}
