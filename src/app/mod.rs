//! The window: egui state and drawing. It queues [`Command`]s for the worker and applies its
//! [`Event`]s; it never calls the SDK and never awaits.

pub mod browser;
pub mod connections;
pub mod format;
pub mod settings;
pub mod state;
pub mod transfer;
mod ui;
pub mod window;

use std::sync::mpsc::Receiver;
use std::time::Instant;

use crate::worker::{Command, Event, EventSink, Worker};
use connections::ConnectionChoice;
use settings::Settings;
use state::AppState;
pub use ui::UiLocal;

/// The key settings are stored under in eframe's storage.
pub const SETTINGS_KEY: &str = "s3share-settings";

/// Where copied text goes.
pub enum ClipboardSink {
    /// The system clipboard through arboard, kept alive so the copy survives on X11.
    System(arboard::Clipboard),
    /// egui's own clipboard output (eframe's clipboard; in tests, the harness output).
    Egui,
}

impl ClipboardSink {
    /// The system clipboard if there is one, else egui's.
    pub fn system_or_egui() -> Self {
        arboard::Clipboard::new().map_or(ClipboardSink::Egui, ClipboardSink::System)
    }

    fn copy(&mut self, ctx: &egui::Context, text: String) {
        match self {
            ClipboardSink::System(clipboard) => {
                if clipboard.set_text(text.clone()).is_err() {
                    ctx.copy_text(text);
                }
            }
            ClipboardSink::Egui => ctx.copy_text(text),
        }
    }
}

/// How the window starts.
pub struct StartOptions {
    /// AWS profiles found on this machine.
    pub profiles: Vec<String>,
    /// A connection given on the command line (flags); chosen first if present.
    pub command_line: Option<ConnectionChoice>,
    /// Where copied text goes.
    pub clipboard: ClipboardSink,
    /// Read and write AWS profiles in these files instead of the default ones.
    pub profile_files: Option<crate::store::ProfileFiles>,
}

/// The s3share window.
pub struct S3ShareApp {
    /// All the state the window shows.
    pub state: AppState,
    /// UI-only state (forms, focus requests, textures).
    pub local: UiLocal,
    worker: Worker,
    events: Receiver<Event>,
    clipboard: ClipboardSink,
}

impl S3ShareApp {
    /// Builds the app: restores settings, starts the worker on `runtime`, connects to the first choice.
    pub fn new(
        ctx: &egui::Context,
        settings: Settings,
        runtime: &tokio::runtime::Handle,
        options: StartOptions,
    ) -> Self {
        let (tx, events) = std::sync::mpsc::channel();
        let repaint_ctx = ctx.clone();
        let worker = Worker::spawn(runtime, EventSink::new(tx, move || repaint_ctx.request_repaint()));
        let mut choices: Vec<ConnectionChoice> = options.command_line.into_iter().collect();
        choices.extend(settings.connections.iter().map(ConnectionChoice::custom));
        choices.extend(options.profiles.iter().map(|p| ConnectionChoice::profile(p)));
        let mut state = AppState::new(settings, choices);
        state.profile_files = options.profile_files;
        let first = if state.choices.first().is_some_and(|c| c.name == ui::COMMAND_LINE_CONNECTION) {
            Some(0)
        } else {
            let last = state.settings.last_connection.clone();
            last.and_then(|name| state.choices.iter().position(|c| c.name == name))
                .or_else(|| state.choices.iter().position(|c| c.name == "AWS profile: default"))
                .or(if state.choices.is_empty() { None } else { Some(0) })
        };
        let commands = first.map(|i| state.choose_connection(i)).unwrap_or_default();
        let app = S3ShareApp { state, local: UiLocal::default(), worker, events, clipboard: options.clipboard };
        app.send_commands(commands);
        app
    }

    /// Queues commands for the worker.
    pub fn send_commands(&self, commands: Vec<Command>) {
        for command in commands {
            self.worker.send(command);
        }
    }

    /// Applies every event the worker has sent so far; puts pending text on the clipboard.
    pub fn drain_events(&mut self, ctx: &egui::Context) {
        while let Ok(event) = self.events.try_recv() {
            let commands = self.state.apply(event);
            self.send_commands(commands);
        }
        if let Some(text) = self.state.clipboard_out.take() {
            self.clipboard.copy(ctx, text);
        }
        let now = Instant::now();
        self.state.expire_toasts(now);
        if self.state.transfers.iter().any(|t| t.is_active()) || !self.state.toasts.is_empty() {
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
    }
}

impl eframe::App for S3ShareApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain_events(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let mut commands = Vec::new();
        ui::app_ui(ui, &mut self.state, &mut self.local, &mut commands);
        self.send_commands(commands);
        // Text copied by a click this frame goes out now, not a frame later.
        if let Some(text) = self.state.clipboard_out.take() {
            self.clipboard.copy(ui.ctx(), text);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.state.settings);
    }
}
