//! Opening the window: eframe options, restored settings, the first connection.

use super::connections::{ConnectionChoice, aws_profiles};
use super::settings::{SavedConnection, Settings};
use super::ui::COMMAND_LINE_CONNECTION;
use super::{ClipboardSink, S3ShareApp, SETTINGS_KEY, StartOptions};
use crate::cli::ConnectionArgs;
use crate::store::UploadJournal;

/// The connection the command-line flags describe, if any were given.
pub fn command_line_choice(args: &ConnectionArgs) -> Option<ConnectionChoice> {
    args.is_set().then(|| ConnectionChoice {
        name: COMMAND_LINE_CONNECTION.to_owned(),
        saved: SavedConnection {
            name: COMMAND_LINE_CONNECTION.to_owned(),
            endpoint_url: args.endpoint_url.clone().unwrap_or_default(),
            region: args.region.clone().unwrap_or_default(),
            path_style: !args.virtual_hosted,
            profile: args.profile.clone(),
        },
        credentials: None,
    })
}

/// The app's icon (assets/icon-256.png, built into the binary).
pub fn app_icon() -> egui::IconData {
    eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon-256.png")).unwrap_or_default()
}

/// Runs the window until it is closed. S3 work runs on `runtime`.
pub fn run(runtime: &tokio::runtime::Runtime, args: &ConnectionArgs) -> anyhow::Result<()> {
    let profiles = runtime.block_on(aws_profiles(None));
    let command_line = command_line_choice(args);
    let handle = runtime.handle().clone();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("s3share")
            .with_app_id("s3share")
            .with_inner_size([1180.0, 740.0])
            .with_min_inner_size([760.0, 480.0])
            .with_drag_and_drop(true)
            .with_icon(std::sync::Arc::new(app_icon())),
        ..Default::default()
    };
    eframe::run_native(
        "s3share",
        options,
        Box::new(move |cc| {
            let settings: Settings = cc.storage.and_then(|s| eframe::get_value(s, SETTINGS_KEY)).unwrap_or_default();
            let start = StartOptions {
                profiles,
                command_line,
                clipboard: ClipboardSink::system_or_egui(),
                profile_files: None,
                local_store_dir: crate::local::embedded::default_dir(),
                upload_journal: UploadJournal::default_path(),
                aws_environment: [
                    "AWS_ACCESS_KEY_ID",
                    "AWS_PROFILE",
                    "AWS_WEB_IDENTITY_TOKEN_FILE",
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                ]
                .iter()
                .any(|v| std::env::var_os(v).is_some()),
            };
            Ok(Box::new(S3ShareApp::new(&cc.egui_ctx, settings, &handle, start)))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_icon_is_a_256_pixel_square() {
        let icon = super::app_icon();
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
    }
}
