//! The window: egui state and drawing. It queues [`Command`]s for the worker and applies its
//! [`Event`]s; it never calls the SDK and never awaits.

pub mod batch;
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
    /// Run the built-in store from this folder ("This computer"); `None` for none.
    pub local_store_dir: Option<std::path::PathBuf>,
    /// AWS credentials are set in the environment (`AWS_ACCESS_KEY_ID`, `AWS_PROFILE`…).
    pub aws_environment: bool,
    /// Record running multipart uploads in this file, to offer resuming them after a crash; `None`: don't.
    pub upload_journal: Option<std::path::PathBuf>,
}

impl StartOptions {
    /// Options with nothing found: no profiles, no command-line connection, no built-in store.
    pub fn bare(clipboard: ClipboardSink) -> Self {
        StartOptions {
            profiles: Vec::new(),
            command_line: None,
            clipboard,
            profile_files: None,
            local_store_dir: None,
            aws_environment: false,
            upload_journal: None,
        }
    }
}

/// The s3share window.
pub struct S3ShareApp {
    /// All the state the window shows.
    pub state: AppState,
    /// UI-only state (forms, focus requests, textures).
    pub local: UiLocal,
    /// Texts put on the clipboard this session, oldest first (memory only).
    pub copied: Vec<String>,
    worker: Worker,
    events: Receiver<Event>,
    clipboard: ClipboardSink,
    /// The settings' lasting part as last written out.
    saved_lasting: settings::LastingSettings,
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
        if options.aws_environment && options.profiles.is_empty() {
            choices.push(ConnectionChoice::environment());
        }
        choices.extend(options.profiles.iter().map(|p| ConnectionChoice::profile(p)));
        let saved_lasting = settings.lasting();
        let mut state = AppState::new(settings, choices);
        state.profile_files = options.profile_files;
        state.local_store_dir = options.local_store_dir;
        state.upload_journal = options.upload_journal;
        state.show_welcome = !state.settings.welcome_seen;
        let mut commands = match first_choice(&state) {
            Some(index) => state.choose_connection(index),
            None => Vec::new(),
        };
        // With no AWS connection to open, the built-in store opens itself once it runs.
        commands.extend(state.set_local_reach(crate::local::embedded::Reach::ThisComputer));
        let app = S3ShareApp {
            state,
            local: UiLocal::default(),
            copied: Vec::new(),
            worker,
            events,
            clipboard: options.clipboard,
            saved_lasting,
        };
        app.send_commands(commands);
        app
    }

    /// Queues commands for the worker.
    pub fn send_commands(&self, commands: Vec<Command>) {
        for command in commands {
            self.worker.send(command);
        }
    }

    /// Puts text the state asked to copy on the clipboard.
    fn flush_clipboard(&mut self, ctx: &egui::Context) {
        if let Some(text) = self.state.clipboard_out.take() {
            self.copied.push(text.clone());
            self.clipboard.copy(ctx, text);
        }
    }

    /// Applies every event the worker has sent so far; puts pending text on the clipboard.
    pub fn drain_events(&mut self, ctx: &egui::Context) {
        while let Ok(event) = self.events.try_recv() {
            let commands = self.state.apply(event);
            self.send_commands(commands);
        }
        self.flush_clipboard(ctx);
        let now = Instant::now();
        self.state.expire_toasts(now);
        if self.state.transfers.iter().any(|t| t.is_active()) || !self.state.toasts.is_empty() {
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
    }
}

/// The connection to open at start: the command line's, else the last one used, else the
/// default AWS profile or environment; `None` leaves it to the built-in store.
fn first_choice(state: &AppState) -> Option<usize> {
    if state.choices.first().is_some_and(|c| c.name == ui::COMMAND_LINE_CONNECTION) {
        return Some(0);
    }
    match state.settings.last_connection.as_deref() {
        Some(connections::THIS_COMPUTER) if state.local_store_dir.is_some() => return None,
        Some(name) => {
            if let Some(i) = state.choices.iter().position(|c| c.name == name) {
                return Some(i);
            }
        }
        None => {}
    }
    let default =
        state.choices.iter().position(|c| c.name == "AWS profile: default" || c.name == connections::AWS_ENVIRONMENT);
    default.or(if state.choices.is_empty() || state.local_store_dir.is_some() { None } else { Some(0) })
}

impl eframe::App for S3ShareApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain_events(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let mut commands = Vec::new();
        ui::app_ui(ui, &mut self.state, &mut self.local, &mut commands);
        self.send_commands(commands);
        // Text copied by a click this frame goes out now, not a frame later.
        self.flush_clipboard(ui.ctx());
        // A new link or connection is written out now (on eframe's writer thread), not up to 30 s later.
        if !self.saved_lasting.matches(&self.state.settings) {
            if let Some(storage) = frame.storage_mut() {
                self.save(storage);
                storage.flush();
            }
            self.saved_lasting = self.state.settings.lasting();
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.state.settings);
    }
}
