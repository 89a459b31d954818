//! Errors, dialogs (add connection, name conflict, delete), the drop highlight and toasts.

use egui::{Id, RichText};

use super::{AddConnectionForm, UiLocal};
use crate::app::connections::{THIS_COMPUTER, profile_name_for};
use crate::app::format;
use crate::app::settings::SavedConnection;
use crate::app::state::AppState;
use crate::store::validate_endpoint_url;
use crate::worker::{Command, OnConflict, Secret};

/// Errors at the top of the central panel: what failed, why, what to do; details on demand.
pub fn errors_ui(ui: &mut egui::Ui, state: &mut AppState, local: &mut UiLocal) {
    let mut dismiss = None;
    for (i, error) in state.errors.iter().enumerate() {
        egui::Frame::group(ui.style()).fill(ui.visuals().extreme_bg_color).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.colored_label(ui.visuals().error_fg_color, RichText::new(format!("⚠ {}", error.title)).strong());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.small_button("Dismiss").clicked() {
                        dismiss = Some(i);
                    }
                    if !error.details.is_empty() {
                        let open = local.expanded_errors.contains(&i);
                        if ui.small_button(if open { "Hide details" } else { "Details" }).clicked() {
                            if open {
                                local.expanded_errors.remove(&i);
                            } else {
                                local.expanded_errors.insert(i);
                            }
                        }
                    }
                });
            });
            ui.label(&error.message);
            if local.expanded_errors.contains(&i) {
                ui.label(RichText::new(&error.details).monospace().small());
            }
        });
    }
    if let Some(i) = dismiss {
        state.errors.remove(i);
        local.expanded_errors.clear();
    }
}

/// The "Add connection" dialog.
pub fn add_connection_ui(ctx: &egui::Context, state: &mut AppState, local: &mut UiLocal, out: &mut Vec<Command>) {
    let Some(form) = local.add_connection.as_mut() else { return };
    let mut close = false;
    egui::Modal::new(Id::unique("add-connection")).show(ctx, |ui| {
        ui.set_width(460.0);
        ui.heading("Add connection");
        let examples: Vec<String> = ENDPOINT_EXAMPLES.iter().map(|(n, e, r)| format!("{n}: {e} (region {r})")).collect();
        ui.label(RichText::new(format!("Examples — {}", examples.join(" · "))).weak().small());
        egui::Grid::new("add-connection-grid").num_columns(2).spacing([10.0, 6.0]).show(ui, |ui| {
            text_field(ui, "Name", egui::TextEdit::singleline(&mut form.name));
            text_field(ui, "Endpoint URL", egui::TextEdit::singleline(&mut form.endpoint_url).hint_text("empty for AWS"));
            text_field(ui, "Region", egui::TextEdit::singleline(&mut form.region).hint_text("e.g. us-east-1"));
            ui.label("");
            ui.checkbox(&mut form.path_style, "Path-style addressing (most S3-compatible stores)");
            ui.end_row();
            ui.label("Credentials");
            ui.horizontal(|ui| {
                ui.radio_value(&mut form.use_keys, false, "AWS profile");
                ui.radio_value(&mut form.use_keys, true, "Access key");
            });
            ui.end_row();
            if form.use_keys {
                text_field(ui, "Access key id", egui::TextEdit::singleline(&mut form.access_key));
                text_field(ui, "Secret access key", egui::TextEdit::singleline(&mut form.secret_key).password(true));
            } else {
                text_field(ui, "Profile", egui::TextEdit::singleline(&mut form.profile).hint_text("default"));
            }
        });
        if form.use_keys {
            ui.label(RichText::new(format!("The keys are saved to ~/.aws/credentials as profile [{}] (readable only by you), never in s3share's settings.", profile_name_for(&form.name))).weak().small());
        }
        if let Some(problem) = &form.problem {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        ui.horizontal(|ui| {
            if ui.button("Save and connect").clicked() {
                match check_form(form, state) {
                    Ok(command) => {
                        out.push(command);
                        close = true;
                    }
                    Err(problem) => form.problem = Some(problem),
                }
            }
            if ui.button("Cancel").clicked() {
                close = true;
            }
        });
    });
    if close {
        local.add_connection = None;
    }
}

/// One labelled row of a form grid; the label names the field for screen readers (and tests).
fn text_field(ui: &mut egui::Ui, label: &str, edit: egui::TextEdit<'_>) {
    let label = ui.label(label);
    ui.add(edit).labelled_by(label.id);
    ui.end_row();
}

/// Validates the form into a [`Command::SaveConnection`].
fn check_form(form: &AddConnectionForm, state: &AppState) -> Result<Command, String> {
    let name = form.name.trim();
    if name.is_empty() {
        return Err("Give the connection a name.".into());
    }
    if state.choices.iter().any(|c| c.name == name) {
        return Err(format!("A connection named {name:?} exists already — pick another name."));
    }
    let endpoint = form.endpoint_url.trim();
    if !endpoint.is_empty() {
        validate_endpoint_url(endpoint).map_err(|e| e.to_string())?;
    }
    let (profile, keys) = if form.use_keys {
        if form.access_key.trim().is_empty() || form.secret_key.is_empty() {
            return Err("Enter both the access key id and the secret access key.".into());
        }
        (Some(profile_name_for(name)), Some((form.access_key.trim().to_owned(), Secret(form.secret_key.clone()))))
    } else {
        let profile = form.profile.trim();
        (Some(if profile.is_empty() { "default".to_owned() } else { profile.to_owned() }), None)
    };
    Ok(Command::SaveConnection {
        connection: SavedConnection {
            name: name.to_owned(),
            endpoint_url: endpoint.to_owned(),
            region: form.region.trim().to_owned(),
            path_style: form.path_style,
            profile,
        },
        keys,
        credentials_file: state.credentials_file(),
    })
}

/// Custom endpoints people use, for the welcome screen and the Add connection form.
const ENDPOINT_EXAMPLES: [(&str, &str, &str); 5] = [
    ("MinIO", "http://127.0.0.1:9000", "us-east-1"),
    ("Cloudflare R2", "https://<account-id>.r2.cloudflarestorage.com", "auto"),
    ("Backblaze B2", "https://s3.<region>.backblazeb2.com", "e.g. us-west-004"),
    ("Wasabi", "https://s3.<region>.wasabisys.com", "e.g. eu-central-1"),
    ("Garage", "http://127.0.0.1:3900", "garage"),
];

/// The first-run screen: what was found, what is open, how to add another store.
pub fn welcome_ui(ctx: &egui::Context, state: &mut AppState, local: &mut UiLocal) {
    if !state.show_welcome {
        return;
    }
    let mut close = false;
    let mut add = false;
    egui::Modal::new(Id::unique("welcome")).show(ctx, |ui| {
        ui.set_width(560.0);
        ui.heading("Welcome to s3share");
        ui.label("Pick a file in a bucket, choose how long the link lives, and Copy link: anyone with the link can download that one file until it expires.");
        ui.add_space(6.0);
        ui.label(RichText::new("Connections found on this computer").strong());
        let aws: Vec<&str> = state.choices.iter().map(|c| c.name.as_str()).filter(|n| *n != THIS_COMPUTER).collect();
        if aws.is_empty() {
            ui.label("• No AWS credentials or profiles (none in ~/.aws/config, ~/.aws/credentials or the environment).");
        }
        for name in &aws {
            ui.label(format!("• {name}"));
        }
        if state.local_store_dir.is_some() {
            ui.label(format!("• {THIS_COMPUTER}: s3share's own store, with a bucket \"shared\" ready to use. Its links work while s3share runs."));
        }
        let open = state.current_choice.and_then(|i| state.choices.get(i)).map(|c| c.name.clone());
        match open {
            Some(name) => ui.label(format!("Opened: {name}. Switch any time with the Connection picker at the top.")),
            None if state.local_store_dir.is_some() => ui.label(format!("Opening: {THIS_COMPUTER}.")),
            None => ui.label("Pick a connection at the top, or add one."),
        };
        ui.add_space(6.0);
        ui.label(RichText::new("Another S3-compatible store? Press Add connection… and enter:").strong());
        egui::Grid::new("endpoint-examples").num_columns(3).spacing([12.0, 2.0]).show(ui, |ui| {
            for (name, endpoint, region) in ENDPOINT_EXAMPLES {
                ui.label(name);
                ui.label(RichText::new(endpoint).monospace());
                ui.label(format!("region {region}"));
                ui.end_row();
            }
        });
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui.button("Start").clicked() {
                close = true;
            }
            if ui.button("Add connection…").clicked() {
                close = true;
                add = true;
            }
        });
    });
    if close {
        state.show_welcome = false;
        state.settings.welcome_seen = true;
    }
    if add {
        local.add_connection = Some(AddConnectionForm { path_style: true, ..AddConnectionForm::default() });
    }
}

/// "This name is taken": replace, keep both, or skip.
pub fn conflict_ui(ctx: &egui::Context, state: &mut AppState, out: &mut Vec<Command>) {
    let Some((_, existing)) = state.conflicts.front().cloned() else { return };
    let mut choice = None;
    egui::Modal::new(Id::unique("conflict")).show(ctx, |ui| {
        ui.heading("A file with this name exists");
        ui.label(format!("{existing} is already there. What should happen to the new file?"));
        ui.horizontal(|ui| {
            if ui.button("Replace").clicked() {
                choice = Some(Some(OnConflict::Replace));
            }
            if ui.button("Keep both").on_hover_text("Upload as \"name (1).ext\"").clicked() {
                choice = Some(Some(OnConflict::KeepBoth));
            }
            if ui.button("Skip").clicked() {
                choice = Some(None);
            }
        });
    });
    if let Some(choice) = choice {
        out.extend(state.resolve_conflict(choice));
    }
}

/// Uploads cut off when the app last closed: resume or discard each (their parts take space on the server).
pub fn interrupted_uploads_ui(ctx: &egui::Context, state: &mut AppState, out: &mut Vec<Command>) {
    if state.interrupted.is_empty() || state.show_welcome {
        return;
    }
    enum Answer {
        Resume(usize),
        Discard(usize),
        All(bool),
        Later,
    }
    let mut answer = None;
    egui::Modal::new(Id::unique("interrupted-uploads")).show(ctx, |ui| {
        ui.set_width(540.0);
        ui.heading("Unfinished uploads");
        ui.label("s3share was closed while these uploads ran. What the server already has is kept until you decide.");
        for (index, upload) in state.interrupted.iter().enumerate() {
            let pending = &upload.pending;
            let name = pending.source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            ui.separator();
            ui.horizontal(|ui| {
                ui.label(RichText::new(&name).strong());
                ui.add(
                    egui::Label::new(RichText::new(format!("to s3://{}/{}", pending.bucket, pending.key)).weak())
                        .truncate(),
                );
            });
            let (fraction, done) = match upload.uploaded {
                Some(bytes) => (
                    bytes as f32 / pending.size.max(1) as f32,
                    format!("{} of {} on the server", format::size(bytes), format::size(pending.size)),
                ),
                None => (0.0, format!("? of {} (the server did not say)", format::size(pending.size))),
            };
            ui.add(egui::ProgressBar::new(fraction).desired_height(6.0));
            ui.label(RichText::new(format!("{done} · started {}", format::local_time(pending.started_at))).weak());
            ui.horizontal(|ui| {
                if ui.button(format!("Resume {name}")).clicked() {
                    answer = Some(Answer::Resume(index));
                }
                if ui
                    .button(format!("Discard {name}"))
                    .on_hover_text("Delete the uploaded parts from the server")
                    .clicked()
                {
                    answer = Some(Answer::Discard(index));
                }
            });
        }
        ui.separator();
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui.button("Resume all").clicked() {
                answer = Some(Answer::All(true));
            }
            if ui.button("Discard all").clicked() {
                answer = Some(Answer::All(false));
            }
            if ui.button("Decide later").on_hover_text("Asked again at the next start").clicked() {
                answer = Some(Answer::Later);
            }
        });
    });
    match answer {
        Some(Answer::Resume(index)) => out.extend(state.resume_interrupted(index)),
        Some(Answer::Discard(index)) => out.extend(state.discard_interrupted(index)),
        Some(Answer::All(resume)) => out.extend(state.settle_all_interrupted(resume)),
        Some(Answer::Later) => state.interrupted.clear(),
        None => {}
    }
}

/// Confirmation before deleting.
pub fn delete_ui(ctx: &egui::Context, state: &mut AppState, out: &mut Vec<Command>) {
    let Some(location) = state.confirm_delete.clone() else { return };
    let mut answer = None;
    egui::Modal::new(Id::unique("delete")).show(ctx, |ui| {
        ui.heading("Delete this object?");
        ui.label(location.to_string());
        ui.label(RichText::new("It cannot be undone; links to it stop working.").weak());
        ui.horizontal(|ui| {
            if ui.button("Delete").clicked() {
                answer = Some(true);
            }
            if ui.button("Cancel").clicked() {
                answer = Some(false);
            }
        });
    });
    match answer {
        Some(true) => out.extend(state.confirm_delete()),
        Some(false) => state.confirm_delete = None,
        None => {}
    }
}

/// Highlights the window while files are dragged over it.
pub fn drop_overlay_ui(ctx: &egui::Context, state: &AppState) {
    let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
    if !hovering {
        return;
    }
    let text = match &state.browser.folder {
        Some(folder) => format!("Drop to upload into {folder}"),
        None => "Open a bucket first to upload there".to_owned(),
    };
    let painter = ctx.layer_painter(egui::LayerId::new(egui::Order::Foreground, Id::unique("drop-overlay")));
    let rect = ctx.content_rect();
    painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(160));
    painter.rect_stroke(
        rect.shrink(6.0),
        8.0,
        egui::Stroke::new(3.0, ctx.global_style().visuals.selection.bg_fill),
        egui::StrokeKind::Inside,
    );
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        text,
        egui::FontId::proportional(22.0),
        egui::Color32::WHITE,
    );
}

/// Toasts in the bottom-right corner.
pub fn toasts_ui(ctx: &egui::Context, state: &AppState) {
    if state.toasts.is_empty() {
        return;
    }
    egui::Area::new(Id::unique("toasts"))
        .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-16.0, -16.0))
        .order(egui::Order::Tooltip)
        .show(ctx, |ui| {
            for toast in &state.toasts {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.add(egui::Label::new(RichText::new(&toast.text).strong()).extend());
                });
            }
        });
}
